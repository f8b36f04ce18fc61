from django import template

from booking.payments import payment_summary

register = template.Library()
register.filter("payment_summary", payment_summary)
