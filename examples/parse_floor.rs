//! The physical floor the replay is measured against: read every field of
//! every record with the csv crate's fastest path (one reused `ByteRecord`)
//! and print the record count.
//!
//! cargo run --release --example parse_floor -- FILE

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor FILE");
        std::process::exit(2);
    };
    let mut reader = match csv::Reader::from_path(&path) {
        Ok(reader) => reader,
        Err(err) => {
            eprintln!("parse_floor: {path}: {err}");
            std::process::exit(2);
        }
    };
    let mut record = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                records += 1;
                for field in record.iter() {
                    bytes += field.len() as u64;
                }
            }
            Ok(false) => break,
            Err(err) => {
                eprintln!("parse_floor: {path}: {err}");
                std::process::exit(2);
            }
        }
    }
    println!("{records} records, {bytes} field bytes");
}
