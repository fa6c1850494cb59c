//! Renderers: one file per output format. (See issue 2.)
