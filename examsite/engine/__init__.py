"""Pure exam rules: states, timing, scoring, shuffling. No I/O."""
