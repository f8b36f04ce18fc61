"""Small shared helpers with no app behind them: outbound HTTP, signing, rate limits, formatting."""
