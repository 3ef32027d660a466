# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_scanquota_global_optspecs
    string join \n q/quiet o/output= h/help V/version
end

function __fish_scanquota_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_scanquota_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_scanquota_using_subcommand
    set -l cmd (__fish_scanquota_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c scanquota -n "__fish_scanquota_needs_command" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_needs_command" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_needs_command" -s V -l version -d 'Print version'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "report" -d 'Remaining, expired and free quota and charges per account'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "invoice" -d 'The bill: every charge line per account and cycle, posted and projected'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "ledger" -d 'One row per input scan: its outcome, units, draws and where it came from'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "check" -d 'Threshold checks for scripts: exit 0 all clear, 1 any ALERT, 2 bad input'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "stats" -d 'The Huawei HSS image-scan statistics object for one account'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "reconcile" -d 'Compare the vendor\'s statistics JSON with what the logs say; exit 1 on any difference'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "estimate" -d 'Recommend the purchase that covers a demand, and compare plans by cost'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "import" -d 'Convert scanner reports or registry events to the scan-log CSV'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "merge" -d 'Combine JSON reports of disjoint account partitions into one report'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "plan" -d 'Validate and inspect plans'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "man" -d 'Print the top man page (roff), or write every command\'s page to a directory'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c scanquota -n "__fish_scanquota_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l plan -d 'Billing plan (TOML file or builtin:NAME); repeat to compare plans side by side' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l cores -d 'Hourly samples of online cores (CSV `timestamp,account,cores`) for the plan\'s [cores] billing' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l cores-column -d 'Read the cores file\'s column HEADER as NAME (timestamp, account, cores); repeatable' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l cores-delimiter -d 'The cores file\'s field delimiter: `,`, `;`, `|` or `\\t` [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l by -d 'Break each account down by this log column (team, namespace, …): who used the shared purchase and who pays what; empty values form `(none)`' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l allocate-unused -d 'With --by: the charge for prepaid units nobody drew stays on its own `unused` line, or is spread over the groups by their drawn units' -r -f -a "line\t'A line of its own'
proportional\t'Spread over the groups in proportion to their units'"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l allocate-shared -d 'With --by: fee and cores lines stay on the `shared` line, or are spread over the groups by their units in the cycle' -r -f -a "line\t'A line of its own'
proportional\t'Spread over the groups in proportion to their units'"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l month -d 'The lines posted in this calendar month, `YYYY-MM`, in the plan\'s zone' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l from -d 'With --to: the lines posted from this moment on (a bare date is 00:00 of that date in the plan\'s zone)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l to -d 'With --from: the lines posted before this moment (a bare date is 00:00 of that date in the plan\'s zone)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -l format -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained page with charts, to open, print or mail'
openmetrics\t'OpenMetrics text for a Prometheus textfile collector (a report\'s, or a merged one\'s)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l plan -d 'Billing plan (TOML file or builtin:NAME)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l cores -d 'Hourly samples of online cores (CSV `timestamp,account,cores`) for the plan\'s [cores] billing' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l cores-column -d 'Read the cores file\'s column HEADER as NAME (timestamp, account, cores); repeatable' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l cores-delimiter -d 'The cores file\'s field delimiter: `,`, `;`, `|` or `\\t` [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l by -d 'Break each account down by this log column (team, namespace, …): who used the shared purchase and who pays what; empty values form `(none)`' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l allocate-unused -d 'With --by: the charge for prepaid units nobody drew stays on its own `unused` line, or is spread over the groups by their drawn units' -r -f -a "line\t'A line of its own'
proportional\t'Spread over the groups in proportion to their units'"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l allocate-shared -d 'With --by: fee and cores lines stay on the `shared` line, or are spread over the groups by their units in the cycle' -r -f -a "line\t'A line of its own'
proportional\t'Spread over the groups in proportion to their units'"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l month -d 'The lines posted in this calendar month, `YYYY-MM`, in the plan\'s zone' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l from -d 'With --to: the lines posted from this moment on (a bare date is 00:00 of that date in the plan\'s zone)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l to -d 'With --from: the lines posted before this moment (a bare date is 00:00 of that date in the plan\'s zone)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -l format -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained page, to open, print or mail'
focus\t'FOCUS 1.2 Cost and Usage CSV for FinOps tools: a row per posted charge line, and the prepaid units drawn per account, allowance and day, amortised (docs/focus.md)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand invoice" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l plan -d 'Billing plan (TOML file or builtin:NAME)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l by -d 'Add this log column to every row (team, namespace, …)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l from -d 'Print only rows scanned at or after this time: `YYYY-MM-DD` (00:00 of that day in the plan\'s zone) or a date-time as written; every row is still replayed, so outcomes are those of the whole ledger' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l to -d 'Print only rows scanned before this time (same forms as --from)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -l format -d 'Output format (`jsonl`: one JSON object a line)' -r -f -a "table\t''
csv\t''
jsonl\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand ledger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l plan -d 'Billing plan (TOML file or builtin:NAME)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l cores -d 'Hourly samples of online cores (CSV `timestamp,account,cores`) for the plan\'s [cores] billing' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l cores-column -d 'Read the cores file\'s column HEADER as NAME (timestamp, account, cores); repeatable' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l cores-delimiter -d 'The cores file\'s field delimiter: `,`, `;`, `|` or `\\t` [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l min-remaining -d 'Alert when fewer units than this remain in the current period' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l allowance -d 'Apply --min-remaining and --max-used-percent to this allowance only [default: all summed]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l max-used-percent -d 'Alert when more than this percentage of the current period is consumed' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l max-projected-charges -d 'Alert when the projected cost of the current cycle exceeds this amount, or includes overage without a price (value `unpriced`); a plan that prices cores needs --cores for it' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l max-projected-denied -d 'Alert when more units than this are projected to be denied by the cycle end' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l expiring-within -d 'Alert when the subscription ends within this many days' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -l format -d 'Output format' -r -f -a "text\t''
json\t''
markdown\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l plan -d 'Billing plan (TOML file or builtin:NAME)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l inventory -d 'Images known to exist (CSV `image,source`); those never scanned count as `unscan`' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l inventory-column -d 'Read the inventory\'s column HEADER as NAME (image, source); repeatable' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l inventory-delimiter -d 'The inventory\'s field delimiter: `,`, `;`, `|` or `\\t` [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -l format -d 'Output format' -r -f -a "json\t''
table\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l plan -d 'Billing plan (TOML file or builtin:NAME)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l log -d 'Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l log-format -d 'The logs\' format [default: recognised by content: CSV, JSON Lines, or Trivy, Grype and Harbor JSON]' -r -f -a "csv\t''
jsonl\t'The canonical log as JSON Lines (one object a line)'
trivy\t''
grype\t''
harbor\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l inventory -d 'Images known to exist (CSV `image,source`)' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l inventory-column -d 'Read the inventory\'s column HEADER as NAME (image, source); repeatable' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l inventory-delimiter -d 'The inventory\'s field delimiter: `,`, `;`, `|` or `\\t` [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -l vendor-stats -d 'The statistics JSON as the vendor\'s API returned it' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l plan -d 'Billing plan (TOML file or builtin:NAME); repeat to compare plans' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l first-scans -d 'First scans (images never scanned before) per cycle' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l repeat-scans -d 'Repeat scans per cycle' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l from-log -d 'Take the demand from scan logs (as --log reads them): each account\'s first and repeat scans per closed cycle, sized on its own' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l column -d 'Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l delimiter -d 'The CSV log\'s field delimiter: `,`, `;`, `|` or `\\t` (a tab) [default: ,]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l log-zone -d 'The zone of the log\'s times written without an offset: a fixed offset (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l size-for -d 'With --from-log: size each account\'s purchase for its busiest closed cycle (`peak`) or the average one (`mean`); both are shown [default: peak]' -r -f -a "peak\t''
mean\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l months -d 'Cycles to cost the plans over' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l as-of -d 'The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan\'s zone, `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l account -d 'Only this account; one that no log row or core sample names is an error listing the accounts there are' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l start -d 'Purchase moment for a plan without `subscription.start` (built-ins, or a saved `plan show`) [default for built-ins: the log\'s first scan, said on stderr]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l display-zone -d 'Show times in this zone (fixed offset or IANA name) instead of the plan\'s; periods, days and --as-of stay in the plan\'s zone [default: the plan\'s]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand estimate" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -l account -d 'The account every row belongs to' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -l source -d 'The source of rows made from Trivy and Grype reports (Harbor\'s are registry scans)' -r -f -a "local\t''
registry\t''
cicd\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -l image-key -d 'Which identity of a report names the image' -r -f -a "digest\t'The manifest digest (else the image id, else the name)'
id\t'The image id (else the digest, else the name)'
name\t'The name as scanned (else the digest)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand merge" -l format -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained page with charts, to open, print or mail'
openmetrics\t'OpenMetrics text for a Prometheus textfile collector (a report\'s, or a merged one\'s)'"
complete -c scanquota -n "__fish_scanquota_using_subcommand merge" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand merge" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -f -a "check" -d 'Validate a plan and print it normalised, every default filled in'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -f -a "list" -d 'Name the built-in plans'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -f -a "show" -d 'Print a built-in plan as editable TOML'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and not __fish_seen_subcommand_from check list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from check" -l start -d 'Purchase moment for a built-in plan [default: now, to the minute]' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from check" -l format -d 'Output format' -r -f -a "toml\t''
json\t''"
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from check" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from list" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from show" -l start -d 'Purchase moment written into the plan; without it the `start` line is left commented out, and the saved file needs --start when used' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from show" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a plan and print it normalised, every default filled in'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "list" -d 'Name the built-in plans'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a built-in plan as editable TOML'
complete -c scanquota -n "__fish_scanquota_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scanquota -n "__fish_scanquota_using_subcommand man" -l dir -d 'Write `scanquota.1` and one `scanquota-<command>.1` page per command here' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand man" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand man" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand man" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand completions" -s o -l output -d 'Write the result to FILE instead of standard output (`-` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run\'s inputs' -r
complete -c scanquota -n "__fish_scanquota_using_subcommand completions" -s q -l quiet -d 'Print nothing but the result: no notes on stderr, no progress bar (and for `scanquota check`, not even its OK/ALERT lines: the exit status alone); errors are still printed'
complete -c scanquota -n "__fish_scanquota_using_subcommand completions" -s h -l help -d 'Print help'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "report" -d 'Remaining, expired and free quota and charges per account'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "invoice" -d 'The bill: every charge line per account and cycle, posted and projected'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "ledger" -d 'One row per input scan: its outcome, units, draws and where it came from'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "check" -d 'Threshold checks for scripts: exit 0 all clear, 1 any ALERT, 2 bad input'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "stats" -d 'The Huawei HSS image-scan statistics object for one account'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "reconcile" -d 'Compare the vendor\'s statistics JSON with what the logs say; exit 1 on any difference'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "estimate" -d 'Recommend the purchase that covers a demand, and compare plans by cost'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "import" -d 'Convert scanner reports or registry events to the scan-log CSV'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "merge" -d 'Combine JSON reports of disjoint account partitions into one report'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "plan" -d 'Validate and inspect plans'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "man" -d 'Print the top man page (roff), or write every command\'s page to a directory'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and not __fish_seen_subcommand_from report invoice ledger check stats reconcile estimate import merge plan man completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "check" -d 'Validate a plan and print it normalised, every default filled in'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "list" -d 'Name the built-in plans'
complete -c scanquota -n "__fish_scanquota_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "show" -d 'Print a built-in plan as editable TOML'
