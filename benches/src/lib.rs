//! Shared benchmark support.
