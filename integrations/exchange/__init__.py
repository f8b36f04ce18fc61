"""Exchange on-premises calendars over EWS."""
