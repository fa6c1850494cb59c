//! IAM policy model and action catalogue. (See issue 3.)
