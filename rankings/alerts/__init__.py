"""E-mail alerts: anyone may ask to be told when a province's or an agency's ranking is
published or corrected (double opt-in, one-click unsubscribe, throttled sign-ups)."""
