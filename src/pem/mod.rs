//! The hand-over of an issued PEM: save, copy, inspect.

pub mod clipboard;
pub mod inspect;
pub mod save;
