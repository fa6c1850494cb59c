//! Walks paths and classifies files. (See issue 2.)
