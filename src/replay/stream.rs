//! Streaming replay for logs already in time order: one thread reads and
//! parses (with piece readers beside it), the others replay (two on two
//! cores or more, each its own accounts), and memory holds only
//! per-account state (history, balances, scan ids seen) instead of every
//! row. When a row turns out to be earlier than the one before, streaming
//! stops and the caller reads the logs again in buffered mode (all events,
//! sorted).

use crate::domain::error::Result;
use crate::domain::key_set::PREFETCH_AHEAD;
use crate::engine::meter::{AccountUsage, Replayer, Schedule};
use crate::input::log::{PiecesRead, ReadOptions, ScanEvent, ScanLog};
use crate::plan::Plan;
use std::sync::mpsc::sync_channel;

const BATCH: usize = 16 * 1024;

/// The bytes of a piece when a large file is parsed in pieces while it
/// streams: pieces wait in memory only until their turn.
pub(crate) const PIECE_BYTES: u64 = 4 << 20;

/// Events replayed together (account by account when the sort pays).
const BLOCK: usize = 1 << 18;

/// From this many accounts a block is sorted by account whatever the sets'
/// size: each account's own state (balances, tallies, cursors) falls out
/// of cache between its rows (measured: `bench/README.md`).
const SORT_FROM_ACCOUNTS: usize = 1000;

/// Whether sorting a block by account pays: only with many accounts, whose
/// own state falls out of cache between their rows. Large history and scan
/// id sets no longer call for it: the replay fetches the slots a scan will
/// probe a few events ahead (`PREFETCH_AHEAD`), in row order as well as
/// sorted (issue 25; measured in `bench/README.md`).
fn sort_pays(accounts: usize) -> bool {
    accounts >= SORT_FROM_ACCOUNTS
}

/// Replay a block of time-ordered events, account by account when `sort`
/// (each account's in order: accounts are independent), and empty it.
/// Either order gives the same usages: an account's events keep their
/// order, and accounts share nothing (a property test below pins that).
fn replay_block(
    replayer: &mut Replayer<'_>,
    block: &mut Vec<(ScanEvent, u128)>,
    accounts: usize,
    sort: bool,
) {
    if !sort {
        replay_in_row_order(replayer, block);
        block.clear();
        return;
    }
    // A counting sort of the block's positions by account, stable.
    let mut starts = vec![0u32; accounts + 1];
    for (event, _) in block.iter() {
        starts[event.account as usize + 1] += 1;
    }
    for id in 1..starts.len() {
        starts[id] += starts[id - 1];
    }
    let mut order = vec![0u32; block.len()];
    for (position, (event, _)) in block.iter().enumerate() {
        let slot = &mut starts[event.account as usize];
        order[*slot as usize] = position as u32;
        *slot += 1;
    }
    for (index, position) in order.iter().enumerate() {
        if let Some(ahead) = order.get(index + PREFETCH_AHEAD) {
            let (event, image) = &block[*ahead as usize];
            replayer.prefetch(event, *image);
        }
        let (event, image) = &block[*position as usize];
        replayer.push(event, *image, &mut |_, _| {});
    }
    block.clear();
}

/// Replay `events` in row order, fetching the slots of the events a few
/// rows ahead.
fn replay_in_row_order(replayer: &mut Replayer<'_>, events: &[(ScanEvent, u128)]) {
    for (position, (event, image)) in events.iter().enumerate() {
        if let Some((ahead, image)) = events.get(position + PREFETCH_AHEAD) {
            replayer.prefetch(ahead, *image);
        }
        replayer.push(event, *image, &mut |_, _| {});
    }
}

/// The replay's share of the events, kept for its own thread: accounts
/// share nothing, so the shares' usages together are the whole replay's.
/// Each share learns every account's name, so ids agree, and sorts its own
/// events by account once the log's accounts (all of them, as with one
/// share) make that pay.
struct ReplayShare<'p> {
    replayer: Replayer<'p>,
    block: Vec<(ScanEvent, u128)>,
    /// The accounts of the log so far, every share's.
    accounts: usize,
}

impl<'p> ReplayShare<'p> {
    fn new(plan: &'p Plan, schedule: &'p Schedule, account: Option<&'p str>) -> Self {
        ReplayShare {
            replayer: Replayer::new(plan, schedule, account),
            block: Vec::new(),
            accounts: 0,
        }
    }

    /// Replay the share's events of a batch (`names`: the accounts first
    /// seen in it).
    fn take(&mut self, names: &[String], mut events: Vec<(ScanEvent, u128)>) {
        for name in names {
            self.replayer.add_account(name);
        }
        self.accounts += names.len();
        if sort_pays(self.accounts) {
            self.block.append(&mut events);
            if self.block.len() >= BLOCK {
                replay_block(&mut self.replayer, &mut self.block, self.accounts, true);
            }
        } else {
            // In row order a batch is replayed as it comes: copying it into
            // the block would only cost. (The block is empty here: once the
            // sort pays, it pays to the end, as accounts only grow.)
            debug_assert!(self.block.is_empty());
            replay_in_row_order(&mut self.replayer, &events);
        }
    }

    /// The share's replayer, its last block replayed.
    fn finish(mut self) -> Replayer<'p> {
        let sort = sort_pays(self.accounts);
        replay_block(&mut self.replayer, &mut self.block, self.accounts, sort);
        self.replayer
    }
}

/// The share of the replay that meters `account`'s events, of `shares`.
#[inline]
pub(super) fn share_of(account: u32, shares: usize) -> usize {
    if shares == 1 {
        0
    } else {
        account as usize % shares
    }
}

enum Message {
    /// Names of accounts first seen in this batch, then its events, one
    /// list for each share of the replay.
    Batch(Vec<String>, Vec<Vec<(ScanEvent, u128)>>),
    /// A row earlier than its predecessor: the log is not in time order.
    OutOfOrder,
}

/// Whether the inputs can be read a second time: regular files can;
/// standard input, a pipe (`<(zcat log.gz)`) or a device cannot.
pub(crate) fn rereadable(paths: &[String]) -> bool {
    paths
        .iter()
        .all(|path| path != "-" && std::fs::metadata(path).is_ok_and(|m| m.is_file()))
}

/// Replay `paths` in one pass; a path with `in_pieces` `(size, threads)` is
/// parsed in pieces on that many threads and replayed in file order, and
/// the accounts are shared out among `shares` replaying threads (1 or 2).
/// `Ok(None)`: the logs are not in time order, or pieces did not read on
/// their own (nothing was kept; read them again buffered). On success, the log's
/// names and files (no events) and the usages, as [`crate::engine::meter::replay`] gives.
pub fn replay_streaming(
    plan: &Plan,
    paths: &[String],
    schedule: &Schedule,
    account: Option<&str>,
    options: &ReadOptions,
    in_pieces: &[Option<(u64, usize)>],
    shares: usize,
) -> Result<Option<(ScanLog, Vec<AccountUsage>)>> {
    let shares = shares.clamp(1, 2);
    // Room for a whole block: the reader parses the next block while the
    // replay works through this one.
    let (sender, receiver) = sync_channel::<Message>(BLOCK / BATCH + 1);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<ScanLog> {
            // Streaming keeps no image table: the meter's history takes the
            // fingerprints.
            let options = ReadOptions {
                images_by_fingerprint: true,
                ..options.clone()
            };
            let mut log = ScanLog::default();
            let fresh = || -> Vec<Vec<_>> {
                (0..shares)
                    .map(|_| Vec::with_capacity(BATCH / shares + BATCH / 8))
                    .collect()
            };
            let mut batch = fresh();
            let mut rows = 0;
            let mut accounts_sent = 0;
            let mut last = None;
            let in_order = std::cell::Cell::new(true);
            let mut handle = |log: &ScanLog, event: ScanEvent, image: u128| {
                if last.is_some_and(|last| event.at < last) {
                    in_order.set(false);
                    return false;
                }
                last = Some(event.at);
                batch[share_of(event.account, shares)].push((event, image));
                rows += 1;
                if rows == BATCH {
                    let names = (accounts_sent..log.accounts.len() as u32)
                        .map(|id| log.accounts.name(id).to_string())
                        .collect();
                    accounts_sent = log.accounts.len() as u32;
                    rows = 0;
                    let full = std::mem::replace(&mut batch, fresh());
                    return sender.send(Message::Batch(names, full)).is_ok();
                }
                true
            };
            for (path, pieces) in paths.iter().zip(in_pieces) {
                let ended = match pieces {
                    Some((size, threads)) => log.read_in_order_pieces(
                        &options,
                        path,
                        *size,
                        plan.zone,
                        (*threads, PIECE_BYTES),
                        false,
                        |log, read| handle(log, read.event, read.image),
                    )?,
                    None => PiecesRead::Uncut,
                };
                let finished = match ended {
                    PiecesRead::Uncut => {
                        log.read_path_each(path, plan.zone, &options, |log, read| {
                            handle(log, read.event, read.image)
                        })?;
                        true
                    }
                    PiecesRead::Finished => true,
                    PiecesRead::Stopped | PiecesRead::Failed(_) => false,
                };
                // Out of order, or pieces that do not read on their own: the
                // caller reads the logs again, whole.
                if !finished || !in_order.get() {
                    let _ = sender.send(Message::OutOfOrder);
                    return Ok(log);
                }
            }
            let names = (accounts_sent..log.accounts.len() as u32)
                .map(|id| log.accounts.name(id).to_string())
                .collect();
            let _ = sender.send(Message::Batch(names, batch));
            Ok(log)
        });
        // With two cores, a second thread replays the odd accounts: the
        // replay is the longest thread, and two keep twice the slots in
        // flight (measured: `bench/README.md`).
        let second = (shares == 2).then(|| {
            let (to_second, batches) = sync_channel::<Batch>(BLOCK / BATCH + 1);
            let replaying = scope.spawn(move || {
                let mut share = ReplayShare::new(plan, schedule, account);
                for (names, events) in batches.iter() {
                    share.take(&names, events);
                }
                share
            });
            (to_second, replaying)
        });
        let mut share = ReplayShare::new(plan, schedule, account);
        let mut in_order = true;
        for message in receiver.iter() {
            match message {
                Message::Batch(names, mut events) => {
                    if let Some((to_second, _)) = &second {
                        let odd = events.pop().unwrap_or_default();
                        // The second thread stops only once this loop ends.
                        let _ = to_second.send((names.clone(), odd));
                    }
                    share.take(&names, events.pop().unwrap_or_default());
                }
                Message::OutOfOrder => in_order = false,
            }
        }
        let second = second.map(|(to_second, replaying)| {
            drop(to_second);
            replaying
                .join()
                .expect("the replaying thread does not panic")
        });
        let log = reader.join().expect("the reader thread does not panic")?;
        if !in_order {
            return Ok(None);
        }
        let mut replayers = Vec::with_capacity(shares);
        replayers.extend(second.map(ReplayShare::finish));
        replayers.push(share.finish());
        Ok(Some((log, Replayer::finish_parts(replayers))))
    })
}

/// A batch of the second share's events, after the names of the accounts
/// first seen in it.
type Batch = (Vec<String>, Vec<(ScanEvent, u128)>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::meter::Schedule;
    use crate::input::log::ScanLog;
    use proptest::prelude::*;

    const PLAN: &str = "timezone = \"+08:00\"\n[subscription]\nstart = 2024-01-01T00:00:00+08:00\n\
        [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 3\nreset = \"calendar-month\"\n\
        [[allowance]]\nname = \"quota\"\nunits = 30\nunit_price = 0.06\n[overage]\npolicy = \"deny\"\n";

    /// A log of `rows` (seconds after 2024-01-01, image, account, failed,
    /// scan id) read as a stream reads it: the log's names and its events.
    fn read_events(
        plan: &Plan,
        rows: impl Iterator<Item = (i64, u8, u8, bool, Option<u8>)>,
    ) -> (ScanLog, Vec<(ScanEvent, u128)>) {
        let mut text = String::from("timestamp,image,account,status,scan_id\n");
        for (seconds, image, account, failed, id) in rows {
            let at = chrono::DateTime::from_timestamp(1_704_067_200 + seconds, 0).unwrap();
            text += &format!(
                "{},img{image},acct{account},{},{}\n",
                at.format("%Y-%m-%dT%H:%M:%SZ"),
                if failed { "failed" } else { "success" },
                id.map(|i| format!("s{i}")).unwrap_or_default()
            );
        }
        let options = ReadOptions {
            images_by_fingerprint: true,
            ..ReadOptions::default()
        };
        let mut log = ScanLog::default();
        let mut events = Vec::new();
        log.read_each(
            &options,
            "log.csv",
            text.as_bytes(),
            plan.zone,
            |_, read| {
                events.push((read.event, read.image));
                true
            },
        )
        .unwrap();
        (log, events)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The block sort is skipped when it cannot pay: replayed in row
        /// order or account by account, every usage is the same.
        #[test]
        fn a_block_replays_the_same_sorted_by_account_or_not(
            mut rows in prop::collection::vec(
                (0u32..100_000, 0u8..12, 0u8..6, prop::bool::weighted(0.1), prop::option::weighted(0.3, 0u8..30)),
                0..200,
            ),
            minute in 0u32..120_000,
        ) {
            rows.sort_by_key(|row| row.0);
            let plan = Plan::from_str("plan.toml", PLAN).unwrap();
            let as_of = chrono::DateTime::from_timestamp(1_704_067_200 + i64::from(minute) * 60, 0).unwrap();
            let schedule = Schedule::new(&plan, as_of);
            let timed = rows.iter().map(|&(minute, image, account, failed, id)| (i64::from(minute) * 60, image, account, failed, id));
            let (log, block) = read_events(&plan, timed);
            let usages = |sort: bool| {
                let mut replayer = Replayer::new(&plan, &schedule, None);
                for id in 0..log.accounts.len() as u32 {
                    replayer.add_account(log.accounts.name(id));
                }
                replay_block(&mut replayer, &mut block.clone(), log.accounts.len(), sort);
                replayer.finish()
            };
            prop_assert_eq!(usages(true), usages(false));
        }

        /// Shared out between two replaying threads (each account's events
        /// to one share, in batches), the usages are the one replay's, in
        /// row order and, with a thousand accounts or more, sorted by
        /// account block by block.
        #[test]
        fn two_shares_replay_as_one(
            rows in prop::collection::vec(
                (0u8..12, 0u8..6, prop::bool::weighted(0.1), prop::option::weighted(0.3, 0u8..30)),
                0..300,
            ),
            batch in 1usize..40,
            many_accounts in any::<bool>(),
            wanted in prop::option::weighted(0.2, 0u8..12),
        ) {
            let plan = Plan::from_str("plan.toml", PLAN).unwrap();
            let as_of = chrono::DateTime::from_timestamp(1_704_067_200 + 200 * 3_600, 0).unwrap();
            let schedule = Schedule::new(&plan, as_of);
            let hourly = rows.iter().enumerate().map(|(hour, &(image, account, failed, id))| (hour as i64 * 3_600, image, account, failed, id));
            let (log, events) = read_events(&plan, hourly);
            // Accounts without rows after the log's, enough for the sort.
            let mut names: Vec<String> = (0..log.accounts.len() as u32)
                .map(|id| log.accounts.name(id).to_string())
                .collect();
            if many_accounts {
                names.extend((0..SORT_FROM_ACCOUNTS).map(|n| format!("idle{n}")));
            }
            let wanted = wanted.map(|n| format!("acct{n}"));
            let account = wanted.as_deref();
            let mut whole = ReplayShare::new(&plan, &schedule, account);
            let mut shares = [
                ReplayShare::new(&plan, &schedule, account),
                ReplayShare::new(&plan, &schedule, account),
            ];
            let mut first = true;
            for chunk in events.chunks(batch) {
                let names: &[String] = if std::mem::take(&mut first) { &names } else { &[] };
                whole.take(names, chunk.to_vec());
                let mut split = [Vec::new(), Vec::new()];
                for event in chunk {
                    split[share_of(event.0.account, 2)].push(*event);
                }
                for (share, events) in shares.iter_mut().zip(split) {
                    share.take(names, events);
                }
            }
            if first {
                whole.take(&names, Vec::new());
                shares.iter_mut().for_each(|share| share.take(&names, Vec::new()));
            }
            let [even, odd] = shares;
            prop_assert_eq!(
                Replayer::finish_parts(vec![odd.finish(), even.finish()]),
                whole.finish().finish()
            );
        }
    }
}
