//! Where peer maps come from.
