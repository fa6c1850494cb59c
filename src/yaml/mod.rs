//! YAML → spanned AST, syntax errors, and the indentation doctor.
//! The rest of the program only sees `ast` types; the event parser stays behind this module.

pub mod ast;
pub mod doctor;
mod fast;
mod parser;

pub use ast::*;
pub use parser::{parse, parse_fast, parse_general, ParseError, ParseOptions};
