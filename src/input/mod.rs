//! How files are read: opening (standard input, compression, directories,
//! symlinks), CSV and JSON Lines scan logs, scanner documents, pieces of a
//! large file, core samples, inventories, with progress on a terminal.
//! Everything here turns bytes into typed rows; nothing meters.

pub mod cores;
pub mod csv_input;
pub mod inventory;
pub mod log;
pub(crate) mod plain_csv;
pub(crate) mod progress;
