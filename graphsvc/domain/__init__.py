"""The domain vocabulary of ``shared/domain/BRIEF.md`` as types."""
