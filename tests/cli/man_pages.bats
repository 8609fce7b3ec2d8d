#!/usr/bin/env bats
# The man pages in man/: each renders without warnings, each is installed (man/local.mk), and
# each documents exactly the options its program's --help prints, so that the two stay in sync.
# Run: bats tests/cli/man_pages.bats
#   QPIDD=, QPID_SEND=, QPID_RECEIVE=, QPID_CONFIG=, QPID_HA= point at other binaries.
# Needs man-db (man, lexgrog) and groff-base (the formatter), which scripts/install-deps installs.

setup() {
  ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
  MAN_DIR="$ROOT/man"
  QPIDD_BIN="${QPIDD:-$ROOT/src/qpidd/qpidd}"
  QPID_SEND_BIN="${QPID_SEND:-$ROOT/src/tools/qpid-send}"
  QPID_RECEIVE_BIN="${QPID_RECEIVE:-$ROOT/src/tools/qpid-receive}"
  QPID_CONFIG_BIN="${QPID_CONFIG:-$ROOT/src/tools/qpid-config}"
  QPID_HA_BIN="${QPID_HA:-$ROOT/src/tools/qpid-ha}"
  # Rendering must not depend on the terminal or the locale of whoever runs the tests.
  export MANWIDTH=80 LC_ALL=C.UTF-8
  unset MANPAGER PAGER
}

# The man pages in man/ (section 1 to 8), one per line, sorted.
man_pages() {
  find "$MAN_DIR" -maxdepth 1 -type f -name '*.[1-8]' -printf '%f\n' | sort
}

# Long options (--name) printed by `BINARY --help`, one per line, sorted, without duplicates.
help_long_options() {
  "$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u
}

# Short options (-x) that start a line of `BINARY --help`, one per line, sorted.
help_short_options() {
  "$1" --help 2>&1 | grep -oE -- '^[[:space:]]+-[A-Za-z]([^A-Za-z0-9-]|$)' |
    grep -oE -- '-[A-Za-z]' | sort -u
}

# The page's text as a reader sees it in the source: comment lines dropped, roff's \- read as -,
# font changes (\fB, \f(CW, \f[B]) and the zero-width \& and \% taken out.
page_text() {
  grep -v '^\.\\"' "$1" |
    sed -e 's/\\-/-/g' -e 's/\\f[A-Z1-4]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[^]]*\]//g' \
      -e 's/\\[&%]//g'
}

# Long options (--name) the page mentions, one per line, sorted, without duplicates. Lines that
# invoke another tool of the project (examples such as "qpid-send -a q --content-string x")
# mention that tool's options, not the page's program's: they are left out.
page_long_options() {
  page_text "$1" | grep -vE '^qpid-(send|receive|config|ha)([[:space:]]|$)' |
    grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u
}

# True if the page mentions option OPTION (--name or -x) as a whole word.
page_mentions() {
  page_text "$1" | grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)"
}

# Fails, listing them, if any long or short option of BINARY's --help is missing from PAGE.
assert_help_options_in_page() {
  local binary="$1" page="$2"
  [ -x "$binary" ] || { echo "no binary at $binary"; return 1; }
  [ -f "$page" ] || { echo "no man page $page for $binary"; return 1; }
  local options missing=() option
  options="$(help_long_options "$binary")"
  [ -n "$options" ] || { echo "$binary --help printed no long option"; return 1; }
  for option in $options $(help_short_options "$binary"); do
    page_mentions "$page" "$option" || missing+=("$option")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "printed by $binary --help but not documented in $page: ${missing[*]}"
    return 1
  fi
}

require_man() {
  command -v man >/dev/null && command -v lexgrog >/dev/null ||
    { echo "man and lexgrog are missing: install man-db and groff-base (scripts/install-deps)"; return 1; }
}

@test "man/ holds the pages of qpidd and of its tools" {
  [ -f "$MAN_DIR/qpidd.8" ] || { echo "no man/qpidd.8"; return 1; }
  run man_pages
  echo "$output"
  [ "$status" -eq 0 ]
  [ -n "$output" ]
}

@test "qpidd --help: every long and short option is documented in man/qpidd.8" {
  assert_help_options_in_page "$QPIDD_BIN" "$MAN_DIR/qpidd.8"
}

@test "qpidd --help: every long option has its own entry (.TP) in man/qpidd.8" {
  [ -x "$QPIDD_BIN" ] || { echo "no binary at $QPIDD_BIN"; return 1; }
  local entries missing=() option
  # The tag lines: the line after each .TP.
  entries="$(page_text "$MAN_DIR/qpidd.8" | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
    grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)"
  for option in $(help_long_options "$QPIDD_BIN"); do
    grep -qxF -- "$option" <<<"$entries" || missing+=("$option")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "no entry (.TP with the option in its tag) in man/qpidd.8 for: ${missing[*]}"
    return 1
  fi
}

@test "man/qpidd.8: every option it documents exists in qpidd --help" {
  [ -x "$QPIDD_BIN" ] || { echo "no binary at $QPIDD_BIN"; return 1; }
  local help page extra=() option
  help="$(help_long_options "$QPIDD_BIN")"
  page="$(page_long_options "$MAN_DIR/qpidd.8")"
  [ -n "$page" ] || { echo "man/qpidd.8 documents no option"; return 1; }
  for option in $page; do
    grep -qxF -- "$option" <<<"$help" || extra+=("$option")
  done
  if [ ${#extra[@]} -gt 0 ]; then
    echo "documented in man/qpidd.8 but not printed by qpidd --help: ${extra[*]}"
    return 1
  fi
}

@test "man/qpidd.8 documents each option with its value and default where it has one" {
  [ -x "$QPIDD_BIN" ] || { echo "no binary at $QPIDD_BIN"; return 1; }
  # Each "--name VALUE (=DEFAULT)" of --help: the page's entry for --name gives DEFAULT.
  local line name default failures=()
  while IFS= read -r line; do
    name="$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$line" | head -1)"
    default="$(sed -nE 's/.*\(=([^,)]*).*/\1/p' <<<"$line")"
    [ -n "$name" ] && [ -n "$default" ] || continue
    # The option's entry: the body of the .TP whose tag names it, up to the next .TP/.SS/.SH/.PP.
    if ! page_text "$MAN_DIR/qpidd.8" |
      awk -v opt="$name" '
        /^\.(TP|SS|SH|PP)([[:space:]]|$)/ { if (in_entry) exit; tag = ($0 ~ /^\.TP/); next }
        tag { tag = 0; if (($0 " ") ~ ("(^|[^a-z0-9-])" opt "[^a-z0-9-]")) in_entry = 1; next }
        in_entry { print }' | grep -qwF -- "$default"; then
      failures+=("$name (default $default)")
    fi
  done < <("$QPIDD_BIN" --help | grep -E -- '^[[:space:]]+--[a-z].*\(=')
  if [ ${#failures[@]} -gt 0 ]; then
    echo "man/qpidd.8 does not give the default of: ${failures[*]}"
    return 1
  fi
}

@test "every man page in man/ renders without warnings (man --warnings -l)" {
  require_man
  local page warnings failed=0
  for page in $(man_pages); do
    warnings="$(man --warnings -l "$MAN_DIR/$page" 2>&1 >/dev/null)"
    if [ -n "$warnings" ]; then
      echo "man/$page:"
      echo "$warnings"
      failed=1
    fi
  done
  [ "$failed" -eq 0 ]
}

@test "every man page in man/ has a NAME line that whatis and apropos can index (lexgrog)" {
  require_man
  local page failed=0
  for page in $(man_pages); do
    if ! lexgrog "$MAN_DIR/$page" >/dev/null 2>&1; then
      echo "man/$page: lexgrog cannot parse its NAME section:"
      lexgrog "$MAN_DIR/$page" 2>&1 || true
      failed=1
    fi
  done
  [ "$failed" -eq 0 ]
}

@test "every man page's .TH names the page and its section" {
  local page name section th failed=0
  for page in $(man_pages); do
    name="${page%.*}"
    section="${page##*.}"
    th="$(grep -m1 '^\.TH ' "$MAN_DIR/$page" | sed -e 's/\\-/-/g')"
    if ! grep -qiE "^\.TH \"?${name}\"? \"?${section}\"?( |\$)" <<<"$th"; then
      echo "man/$page: expected '.TH ${name^^} $section ...', found '$th'"
      failed=1
    fi
  done
  [ "$failed" -eq 0 ]
}

@test "man/local.mk installs exactly the man pages in man/" {
  local listed
  # man_MANS = a b \ (continuation lines) c
  listed="$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$MAN_DIR/local.mk" |
    sed -nE 's/^[[:space:]]*man_MANS[[:space:]]*\+?=(.*)/\1/p' | tr -s ' \t' '\n' |
    grep -v '^$' | sed 's|^man/||' | sort -u)"
  echo "listed in man/local.mk: $(echo $listed)"
  echo "pages in man/: $(echo $(man_pages))"
  [ "$listed" = "$(man_pages)" ]
  grep -qE '^[[:space:]]*EXTRA_DIST[[:space:]]*\+=.*\$\(man_MANS\)' "$MAN_DIR/local.mk"
}

@test "qpid-send --help: every option is documented in man/qpid-send.1" {
  [ -x "$QPID_SEND_BIN" ] || skip "qpid-send is not built ($QPID_SEND_BIN)"
  assert_help_options_in_page "$QPID_SEND_BIN" "$MAN_DIR/qpid-send.1"
}

@test "qpid-receive --help: every option is documented in man/qpid-receive.1" {
  [ -x "$QPID_RECEIVE_BIN" ] || skip "qpid-receive is not built ($QPID_RECEIVE_BIN)"
  assert_help_options_in_page "$QPID_RECEIVE_BIN" "$MAN_DIR/qpid-receive.1"
}

@test "qpid-config --help: every option is documented in man/qpid-config.1" {
  [ -x "$QPID_CONFIG_BIN" ] || skip "qpid-config is not built ($QPID_CONFIG_BIN)"
  assert_help_options_in_page "$QPID_CONFIG_BIN" "$MAN_DIR/qpid-config.1"
}

@test "qpid-ha --help: every option is documented in man/qpid-ha.1" {
  [ -x "$QPID_HA_BIN" ] || skip "qpid-ha is not built ($QPID_HA_BIN)"
  assert_help_options_in_page "$QPID_HA_BIN" "$MAN_DIR/qpid-ha.1"
}
