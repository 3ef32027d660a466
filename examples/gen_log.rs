//! Writes a realistic synthetic scan log to standard output, for benchmarks.
//!
//! cargo run --release --example gen_log -- --rows N --accounts A --images I --seed S [--shuffled]
//!
//! Image popularity is Zipf-like (a few images take most scans, so repeats
//! dominate); about 3 % of rows fail and 2 % repeat the previous row's scan
//! id; all three sources and every risk level appear. Rows are in time order
//! unless `--shuffled`. The same arguments always write the same bytes.

use std::io::{BufWriter, Write};

struct Options {
    rows: u64,
    accounts: u64,
    images: u64,
    seed: u64,
    shuffled: bool,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        rows: 1000,
        accounts: 10,
        images: 1000,
        seed: 1,
        shuffled: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} takes a whole number"))
        };
        match flag.as_str() {
            "--rows" => options.rows = number("--rows")?,
            "--accounts" => options.accounts = number("--accounts")?.max(1),
            "--images" => options.images = number("--images")?.max(1),
            "--seed" => options.seed = number("--seed")?,
            "--shuffled" => options.shuffled = true,
            other => {
                return Err(format!(
                    "unknown argument {other}; use --rows --accounts --images --seed --shuffled"
                ));
            }
        }
    }
    Ok(options)
}

/// SplitMix64: a fast, well-mixed hash of (seed, row, salt).
fn mix(seed: u64, row: u64, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_add(row.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(seed: u64, row: u64, salt: u64) -> f64 {
    (mix(seed, row, salt) >> 11) as f64 / (1u64 << 53) as f64
}

/// The row's "origin": a duplicate row copies the previous row's scan.
fn origin(options: &Options, row: u64) -> u64 {
    if row > 0 && unit(options.seed, row, 1) < 0.02 {
        row - 1
    } else {
        row
    }
}

/// Seconds after 2024-01-01T00:00:00Z: 1.75 s a row on average, so ten
/// million rows span about seven monthly cycles.
const BASE: i64 = 1_704_067_200;

fn write_row(out: &mut impl Write, options: &Options, row: u64) -> std::io::Result<()> {
    let seed = options.seed;
    let source_row = origin(options, row);
    let at = BASE + (row as i64) * 7 / 4 + (mix(seed, row, 2) % 2) as i64;
    let account = mix(seed, source_row, 3) % options.accounts;
    // Zipf-like: the square of a uniform number favours small indices strongly.
    let popularity = unit(seed, source_row, 4);
    let image =
        ((popularity * popularity * popularity) * options.images as f64) as u64 % options.images;
    let digest_hi = mix(image, 0, 5);
    let digest_lo = mix(image, 1, 5);
    let source = ["registry", "registry", "registry", "cicd", "cicd", "local"]
        [(mix(seed, source_row, 6) % 6) as usize];
    let status = if unit(seed, source_row, 7) < 0.03 {
        "failed"
    } else {
        "success"
    };
    let risk = ["high", "medium", "low", "none", ""][(mix(seed, image, 8) % 5) as usize];
    let timestamp = chrono::DateTime::from_timestamp(at, 0).expect("in range");
    writeln!(
        out,
        "{},acct-{account:03},sha256:{digest_hi:016x}{digest_lo:016x}{digest_hi:016x}{digest_lo:016x},{source},{status},{risk},scan-{source_row:010}",
        timestamp.format("%Y-%m-%dT%H:%M:%SZ"),
    )
}

fn main() {
    let options = match parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gen_log: {message}");
            std::process::exit(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = (|| -> std::io::Result<()> {
        writeln!(out, "timestamp,account,image,source,status,risk,scan_id")?;
        if options.shuffled {
            let mut order: Vec<u64> = (0..options.rows).collect();
            for i in (1..order.len()).rev() {
                let j = (mix(options.seed, i as u64, 9) % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            for row in order {
                write_row(&mut out, &options, row)?;
            }
        } else {
            for row in 0..options.rows {
                write_row(&mut out, &options, row)?;
            }
        }
        out.flush()
    })();
    if let Err(err) = result
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("gen_log: {err}");
        std::process::exit(2);
    }
}
