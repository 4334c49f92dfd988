"""Weekly risk-alert e-mails to deal owners (and digests for their managers)."""
