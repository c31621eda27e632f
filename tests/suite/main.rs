//! kiyaku's integration tests, in one binary (each test binary links the
//! embedded dictionary, so one binary keeps builds fast).

mod cache;
mod catalogs;
mod checks;
mod cli;
mod corpus;
mod fixtures;
mod inputs;
mod lsp;
mod lsp_input;
mod pathological;
mod reports;
mod structure;
