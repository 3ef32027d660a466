#compdef scanquota

autoload -U is-at-least

_scanquota() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_scanquota_commands" \
"*::: :->scanquota" \
&& ret=0
    case $state in
    (scanquota)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:scanquota-command-$line[1]:"
        case $line[1] in
            (report)
_arguments "${_arguments_options[@]}" : \
'*--plan=[Billing plan (TOML file or builtin\:NAME); repeat to compare plans side by side]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--cores=[Hourly samples of online cores (CSV \`timestamp,account,cores\`) for the plan'\''s \[cores\] billing]:FILE:_default' \
'*--cores-column=[Read the cores file'\''s column HEADER as NAME (timestamp, account, cores); repeatable]:NAME=HEADER:_default' \
'--cores-delimiter=[The cores file'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` \[default\: ,\]]:CHAR:_default' \
'--by=[Break each account down by this log column (team, namespace, …)\: who used the shared purchase and who pays what; empty values form \`(none)\`]:COLUMN:_default' \
'--allocate-unused=[With --by\: the charge for prepaid units nobody drew stays on its own \`unused\` line, or is spread over the groups by their drawn units]:HOW:((line\:"A line of its own"
proportional\:"Spread over the groups in proportion to their units"))' \
'--allocate-shared=[With --by\: fee and cores lines stay on the \`shared\` line, or are spread over the groups by their units in the cycle]:HOW:((line\:"A line of its own"
proportional\:"Spread over the groups in proportion to their units"))' \
'--month=[The lines posted in this calendar month, \`YYYY-MM\`, in the plan'\''s zone]:YYYY-MM:_default' \
'--from=[With --to\: the lines posted from this moment on (a bare date is 00\:00 of that date in the plan'\''s zone)]:TIME:_default' \
'--to=[With --from\: the lines posted before this moment (a bare date is 00\:00 of that date in the plan'\''s zone)]:TIME:_default' \
'--format=[Output format]:FORMAT:((table\:""
json\:""
csv\:""
markdown\:""
html\:"One self-contained page with charts, to open, print or mail"
openmetrics\:"OpenMetrics text for a Prometheus textfile collector (a report'\''s, or a merged one'\''s)"))' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(invoice)
_arguments "${_arguments_options[@]}" : \
'--plan=[Billing plan (TOML file or builtin\:NAME)]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--cores=[Hourly samples of online cores (CSV \`timestamp,account,cores\`) for the plan'\''s \[cores\] billing]:FILE:_default' \
'*--cores-column=[Read the cores file'\''s column HEADER as NAME (timestamp, account, cores); repeatable]:NAME=HEADER:_default' \
'--cores-delimiter=[The cores file'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` \[default\: ,\]]:CHAR:_default' \
'--by=[Break each account down by this log column (team, namespace, …)\: who used the shared purchase and who pays what; empty values form \`(none)\`]:COLUMN:_default' \
'--allocate-unused=[With --by\: the charge for prepaid units nobody drew stays on its own \`unused\` line, or is spread over the groups by their drawn units]:HOW:((line\:"A line of its own"
proportional\:"Spread over the groups in proportion to their units"))' \
'--allocate-shared=[With --by\: fee and cores lines stay on the \`shared\` line, or are spread over the groups by their units in the cycle]:HOW:((line\:"A line of its own"
proportional\:"Spread over the groups in proportion to their units"))' \
'--month=[The lines posted in this calendar month, \`YYYY-MM\`, in the plan'\''s zone]:YYYY-MM:_default' \
'--from=[With --to\: the lines posted from this moment on (a bare date is 00\:00 of that date in the plan'\''s zone)]:TIME:_default' \
'--to=[With --from\: the lines posted before this moment (a bare date is 00\:00 of that date in the plan'\''s zone)]:TIME:_default' \
'--format=[Output format]:FORMAT:((table\:""
json\:""
csv\:""
markdown\:""
html\:"One self-contained page, to open, print or mail"
focus\:"FOCUS 1.2 Cost and Usage CSV for FinOps tools\: a row per posted charge line, and the prepaid units drawn per account, allowance and day, amortised (docs/focus.md)"))' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(ledger)
_arguments "${_arguments_options[@]}" : \
'--plan=[Billing plan (TOML file or builtin\:NAME)]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--by=[Add this log column to every row (team, namespace, …)]:COLUMN:_default' \
'--from=[Print only rows scanned at or after this time\: \`YYYY-MM-DD\` (00\:00 of that day in the plan'\''s zone) or a date-time as written; every row is still replayed, so outcomes are those of the whole ledger]:TIME:_default' \
'--to=[Print only rows scanned before this time (same forms as --from)]:TIME:_default' \
'--format=[Output format (\`jsonl\`\: one JSON object a line)]:FORMAT:(table csv jsonl)' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(check)
_arguments "${_arguments_options[@]}" : \
'--plan=[Billing plan (TOML file or builtin\:NAME)]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--cores=[Hourly samples of online cores (CSV \`timestamp,account,cores\`) for the plan'\''s \[cores\] billing]:FILE:_default' \
'*--cores-column=[Read the cores file'\''s column HEADER as NAME (timestamp, account, cores); repeatable]:NAME=HEADER:_default' \
'--cores-delimiter=[The cores file'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` \[default\: ,\]]:CHAR:_default' \
'--min-remaining=[Alert when fewer units than this remain in the current period]:UNITS:_default' \
'--allowance=[Apply --min-remaining and --max-used-percent to this allowance only \[default\: all summed\]]:NAME:_default' \
'--max-used-percent=[Alert when more than this percentage of the current period is consumed]:PERCENT:_default' \
'--max-projected-charges=[Alert when the projected cost of the current cycle exceeds this amount, or includes overage without a price (value \`unpriced\`); a plan that prices cores needs --cores for it]:AMOUNT:_default' \
'--max-projected-denied=[Alert when more units than this are projected to be denied by the cycle end]:UNITS:_default' \
'--expiring-within=[Alert when the subscription ends within this many days]:DAYS:_default' \
'--format=[Output format]:FORMAT:(text json markdown)' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(stats)
_arguments "${_arguments_options[@]}" : \
'--plan=[Billing plan (TOML file or builtin\:NAME)]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--inventory=[Images known to exist (CSV \`image,source\`); those never scanned count as \`unscan\`]:FILE:_default' \
'*--inventory-column=[Read the inventory'\''s column HEADER as NAME (image, source); repeatable]:NAME=HEADER:_default' \
'--inventory-delimiter=[The inventory'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` \[default\: ,\]]:CHAR:_default' \
'--format=[Output format]:FORMAT:(json table)' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(reconcile)
_arguments "${_arguments_options[@]}" : \
'--plan=[Billing plan (TOML file or builtin\:NAME)]:PLAN:_default' \
'*--log=[Scan logs\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised by content, \`-\` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged]:LOG:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--log-format=[The logs'\'' format \[default\: recognised by content\: CSV, JSON Lines, or Trivy, Grype and Harbor JSON\]]:FORMAT:((csv\:""
jsonl\:"The canonical log as JSON Lines (one object a line)"
trivy\:""
grype\:""
harbor\:""))' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--inventory=[Images known to exist (CSV \`image,source\`)]:FILE:_default' \
'*--inventory-column=[Read the inventory'\''s column HEADER as NAME (image, source); repeatable]:NAME=HEADER:_default' \
'--inventory-delimiter=[The inventory'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` \[default\: ,\]]:CHAR:_default' \
'--vendor-stats=[The statistics JSON as the vendor'\''s API returned it]:FILE:_default' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(estimate)
_arguments "${_arguments_options[@]}" : \
'*--plan=[Billing plan (TOML file or builtin\:NAME); repeat to compare plans]:PLAN:_default' \
'(--from-log)--first-scans=[First scans (images never scanned before) per cycle]:N:_default' \
'(--from-log)--repeat-scans=[Repeat scans per cycle]:N:_default' \
'*--from-log=[Take the demand from scan logs (as --log reads them)\: each account'\''s first and repeat scans per closed cycle, sized on its own]:LOG:_default' \
'*--column=[Read the log column (CSV header or JSON Lines key) HEADER as the column NAME (timestamp, image, account, status, scan_id, source, risk or the --by column); repeat for each column; case and spaces are ignored]:NAME=HEADER:_default' \
'--delimiter=[The CSV log'\''s field delimiter\: \`,\`, \`;\`, \`|\` or \`\\t\` (a tab) \[default\: ,\]]:CHAR:_default' \
'--log-zone=[The zone of the log'\''s times written without an offset\: a fixed offset (\`+08\:00\`) or an IANA name (\`Europe/Berlin\`) \[default\: the plan'\''s\]]:ZONE:_default' \
'--size-for=[With --from-log\: size each account'\''s purchase for its busiest closed cycle (\`peak\`) or the average one (\`mean\`); both are shown \[default\: peak\]]:SIZE_FOR:(peak mean)' \
'--months=[Cycles to cost the plans over]:M:_default' \
'--as-of=[The moment described\: RFC 3339, \`YYYY-MM-DD HH\:MM\[\:SS\]\` in the plan'\''s zone, \`YYYY-MM-DD\` (the end of that day), Unix seconds, or \`now\` \[default\: now\]]:TIME:_default' \
'--account=[Only this account; one that no log row or core sample names is an error listing the accounts there are]:ACCOUNT:_default' \
'--start=[Purchase moment for a plan without \`subscription.start\` (built-ins, or a saved \`plan show\`) \[default for built-ins\: the log'\''s first scan, said on stderr\]]:TIME:_default' \
'--display-zone=[Show times in this zone (fixed offset or IANA name) instead of the plan'\''s; periods, days and --as-of stay in the plan'\''s zone \[default\: the plan'\''s\]]:ZONE:_default' \
'--format=[Output format]:FORMAT:(table json)' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
'--account=[The account every row belongs to]:ACCOUNT:_default' \
'--source=[The source of rows made from Trivy and Grype reports (Harbor'\''s are registry scans)]:SOURCE:(local registry cicd)' \
'--image-key=[Which identity of a report names the image]:KEY:((digest\:"The manifest digest (else the image id, else the name)"
id\:"The image id (else the digest, else the name)"
name\:"The name as scanned (else the digest)"))' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':format -- The format of the files:(trivy grype harbor)' \
'*::files -- Reports or event files (one document each, several concatenated, or one a line); a directory is read file by file in name order; `-` is standard input:_default' \
&& ret=0
;;
(merge)
_arguments "${_arguments_options[@]}" : \
'--format=[Output format]:FORMAT:((table\:""
json\:""
csv\:""
markdown\:""
html\:"One self-contained page with charts, to open, print or mail"
openmetrics\:"OpenMetrics text for a Prometheus textfile collector (a report'\''s, or a merged one'\''s)"))' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::reports -- Reports written by `scanquota report --format json`, same plan, --as-of and --by:_default' \
&& ret=0
;;
(plan)
_arguments "${_arguments_options[@]}" : \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_scanquota__subcmd__plan_commands" \
"*::: :->plan" \
&& ret=0

    case $state in
    (plan)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:scanquota-plan-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
'--start=[Purchase moment for a built-in plan \[default\: now, to the minute\]]:TIME:_default' \
'--format=[Output format]:FORMAT:(toml json)' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
':plan -- The plan file (TOML) or builtin\:NAME:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'--start=[Purchase moment written into the plan; without it the \`start\` line is left commented out, and the saved file needs --start when used]:TIME:_default' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
':plan -- builtin\:NAME:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_scanquota__subcmd__plan__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:scanquota-plan-help-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--dir=[Write \`scanquota.1\` and one \`scanquota-<command>.1\` page per command here]:DIR:_default' \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'-o+[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'--output=[Write the result to FILE instead of standard output (\`-\` is standard output); FILE is replaced only when the run succeeds, and never when it is one of the run'\''s inputs]:FILE:_default' \
'-q[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'--quiet[Print nothing but the result\: no notes on stderr, no progress bar (and for \`scanquota check\`, not even its OK/ALERT lines\: the exit status alone); errors are still printed]' \
'-h[Print help]' \
'--help[Print help]' \
':shell -- The shell to complete for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_scanquota__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:scanquota-help-command-$line[1]:"
        case $line[1] in
            (report)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(invoice)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(ledger)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(stats)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reconcile)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(estimate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(merge)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(plan)
_arguments "${_arguments_options[@]}" : \
":: :_scanquota__subcmd__help__subcmd__plan_commands" \
"*::: :->plan" \
&& ret=0

    case $state in
    (plan)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:scanquota-help-plan-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_scanquota_commands] )) ||
_scanquota_commands() {
    local commands; commands=(
'report:Remaining, expired and free quota and charges per account' \
'invoice:The bill\: every charge line per account and cycle, posted and projected' \
'ledger:One row per input scan\: its outcome, units, draws and where it came from' \
'check:Threshold checks for scripts\: exit 0 all clear, 1 any ALERT, 2 bad input' \
'stats:The Huawei HSS image-scan statistics object for one account' \
'reconcile:Compare the vendor'\''s statistics JSON with what the logs say; exit 1 on any difference' \
'estimate:Recommend the purchase that covers a demand, and compare plans by cost' \
'import:Convert scanner reports or registry events to the scan-log CSV' \
'merge:Combine JSON reports of disjoint account partitions into one report' \
'plan:Validate and inspect plans' \
'man:Print the top man page (roff), or write every command'\''s page to a directory' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'scanquota commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__check_commands] )) ||
_scanquota__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota check commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__completions_commands] )) ||
_scanquota__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota completions commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__estimate_commands] )) ||
_scanquota__subcmd__estimate_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota estimate commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help_commands] )) ||
_scanquota__subcmd__help_commands() {
    local commands; commands=(
'report:Remaining, expired and free quota and charges per account' \
'invoice:The bill\: every charge line per account and cycle, posted and projected' \
'ledger:One row per input scan\: its outcome, units, draws and where it came from' \
'check:Threshold checks for scripts\: exit 0 all clear, 1 any ALERT, 2 bad input' \
'stats:The Huawei HSS image-scan statistics object for one account' \
'reconcile:Compare the vendor'\''s statistics JSON with what the logs say; exit 1 on any difference' \
'estimate:Recommend the purchase that covers a demand, and compare plans by cost' \
'import:Convert scanner reports or registry events to the scan-log CSV' \
'merge:Combine JSON reports of disjoint account partitions into one report' \
'plan:Validate and inspect plans' \
'man:Print the top man page (roff), or write every command'\''s page to a directory' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'scanquota help commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__check_commands] )) ||
_scanquota__subcmd__help__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help check commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__completions_commands] )) ||
_scanquota__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help completions commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__estimate_commands] )) ||
_scanquota__subcmd__help__subcmd__estimate_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help estimate commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__help_commands] )) ||
_scanquota__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help help commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__import_commands] )) ||
_scanquota__subcmd__help__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help import commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__invoice_commands] )) ||
_scanquota__subcmd__help__subcmd__invoice_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help invoice commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__ledger_commands] )) ||
_scanquota__subcmd__help__subcmd__ledger_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help ledger commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__man_commands] )) ||
_scanquota__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help man commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__merge_commands] )) ||
_scanquota__subcmd__help__subcmd__merge_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help merge commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__plan_commands] )) ||
_scanquota__subcmd__help__subcmd__plan_commands() {
    local commands; commands=(
'check:Validate a plan and print it normalised, every default filled in' \
'list:Name the built-in plans' \
'show:Print a built-in plan as editable TOML' \
    )
    _describe -t commands 'scanquota help plan commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__plan__subcmd__check_commands] )) ||
_scanquota__subcmd__help__subcmd__plan__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help plan check commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__plan__subcmd__list_commands] )) ||
_scanquota__subcmd__help__subcmd__plan__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help plan list commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__plan__subcmd__show_commands] )) ||
_scanquota__subcmd__help__subcmd__plan__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help plan show commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__reconcile_commands] )) ||
_scanquota__subcmd__help__subcmd__reconcile_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help reconcile commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__report_commands] )) ||
_scanquota__subcmd__help__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help report commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__help__subcmd__stats_commands] )) ||
_scanquota__subcmd__help__subcmd__stats_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota help stats commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__import_commands] )) ||
_scanquota__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota import commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__invoice_commands] )) ||
_scanquota__subcmd__invoice_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota invoice commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__ledger_commands] )) ||
_scanquota__subcmd__ledger_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota ledger commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__man_commands] )) ||
_scanquota__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota man commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__merge_commands] )) ||
_scanquota__subcmd__merge_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota merge commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan_commands] )) ||
_scanquota__subcmd__plan_commands() {
    local commands; commands=(
'check:Validate a plan and print it normalised, every default filled in' \
'list:Name the built-in plans' \
'show:Print a built-in plan as editable TOML' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'scanquota plan commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__check_commands] )) ||
_scanquota__subcmd__plan__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan check commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__help_commands] )) ||
_scanquota__subcmd__plan__subcmd__help_commands() {
    local commands; commands=(
'check:Validate a plan and print it normalised, every default filled in' \
'list:Name the built-in plans' \
'show:Print a built-in plan as editable TOML' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'scanquota plan help commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__help__subcmd__check_commands] )) ||
_scanquota__subcmd__plan__subcmd__help__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan help check commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__help__subcmd__help_commands] )) ||
_scanquota__subcmd__plan__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan help help commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__help__subcmd__list_commands] )) ||
_scanquota__subcmd__plan__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan help list commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__help__subcmd__show_commands] )) ||
_scanquota__subcmd__plan__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan help show commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__list_commands] )) ||
_scanquota__subcmd__plan__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan list commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__plan__subcmd__show_commands] )) ||
_scanquota__subcmd__plan__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota plan show commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__reconcile_commands] )) ||
_scanquota__subcmd__reconcile_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota reconcile commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__report_commands] )) ||
_scanquota__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota report commands' commands "$@"
}
(( $+functions[_scanquota__subcmd__stats_commands] )) ||
_scanquota__subcmd__stats_commands() {
    local commands; commands=()
    _describe -t commands 'scanquota stats commands' commands "$@"
}

if [ "$funcstack[1]" = "_scanquota" ]; then
    _scanquota "$@"
else
    compdef _scanquota scanquota
fi
