//! Cross-file index: policy names defined and referenced. (See issue 4.)
