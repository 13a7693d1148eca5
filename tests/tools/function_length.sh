#!/usr/bin/env bash
# function_length.sh [--max N] [--top K] PATH... — no C function longer than N
# lines (default 150). A PATH is a .c file or a directory (its *.c, not
# recursive). A function's length counts from the first line of its
# definition (return type, static, ...) to its closing brace, both included.
# Each function over the limit is printed as FILE:LINE: NAME is L lines;
# --top K also lists the K longest. Exit 1 on a function over the limit, 2 on
# a file it cannot follow (unbalanced braces) or when it finds no function.
#
# Parsing (awk, no compiler): comments, string and character literals and
# preprocessor lines (with their continuations) are dropped; a '{' at file
# level opens a function when the text since the last file-level ';' or '}'
# ends with ')' and has no '=' outside parentheses (so struct, enum and
# initializer braces are not functions). Function braces may be attached or
# on their own line, the signature on one line or several. The name is the
# identifier before the last file-level '(' that follows one (keywords and
# __attribute__ skipped); failing that, the first such identifier at any depth
# (a function returning a function pointer). Braces inside #if branches are
# counted as written, so a body whose branches open braces differently is
# reported as unbalanced.
set -euo pipefail
max=150
top=0
while [ $# -gt 0 ]; do
  case $1 in
    --max) max=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "function_length: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: function_length.sh [--max N] [--top K] PATH..." >&2; exit 2; }
files=()
for p in "$@"; do
  if [ -d "$p" ]; then
    for f in "${p%/}"/*.c; do [ -e "$f" ] && files+=("$f"); done
  elif [ -f "$p" ]; then
    files+=("$p")
  else
    echo "function_length: no such file or directory: $p" >&2
    exit 2
  fi
done
[ ${#files[@]} -gt 0 ] || { echo "function_length: no .c files in $*" >&2; exit 2; }
n_files="${#files[@]} files"
[ ${#files[@]} -eq 1 ] && n_files="1 file"

# One "LENGTH FILE:LINE NAME" line per function; "ERROR message" on a file it
# cannot follow.
found=$(awk '
  function reset_header() { hdr = ""; hdr_line = 0 }
  function add(s) {
    if (depth != 0) return
    if (hdr_line == 0 && s !~ /^[ \t\n]*$/) hdr_line = FNR
    hdr = hdr s
  }
  function is_ident_char(ch) { return ch ~ /[A-Za-z0-9_]/ }
  # The identifier ending just before position pos of s (spaces skipped), or "".
  function ident_before(s, pos,    j, e) {
    j = pos - 1
    while (j > 0 && substr(s, j, 1) ~ /[ \t\n]/) j--
    e = j
    while (j > 0 && is_ident_char(substr(s, j, 1))) j--
    if (e <= j || substr(s, j + 1, 1) ~ /[0-9]/) return ""
    return substr(s, j + 1, e - j)
  }
  # The function name of header h, or "" when h does not open a function.
  function function_name(h,    t, i, ch, pd, name, any, id) {
    t = h
    sub(/[ \t\n]+$/, "", t)
    if (substr(t, length(t), 1) != ")") return ""
    pd = 0; name = ""; any = ""
    for (i = 1; i <= length(t); i++) {
      ch = substr(t, i, 1)
      if (ch == "(") {
        id = ident_before(t, i)
        if (id != "" && !(id in keyword)) {
          if (pd == 0) name = id
          if (any == "") any = id
        }
        pd++
      } else if (ch == ")") pd--
      else if (ch == "=" && pd == 0) return ""
    }
    return name != "" ? name : any
  }
  function finish_file() {
    if (in_comment) print "ERROR " FILENAME ": unterminated comment"
    else if (depth != 0) print "ERROR " FILENAME ": unbalanced braces (depth " depth " at the end)"
  }
  function handle(c,    name) {
    if (depth == 0) {
      if (c == "{") {
        name = function_name(hdr)
        if (name != "") { fn_name = name; fn_line = hdr_line ? hdr_line : FNR; in_fn = 1 }
        depth = 1
      } else if (c == ";") reset_header()
      else if (c == "}") { print "ERROR " FILENAME ":" FNR ": unmatched }"; bad = 1 }
      else add(c)
      return
    }
    if (c == "{") depth++
    else if (c == "}" && --depth == 0) {
      if (in_fn) print (FNR - fn_line + 1) " " FILENAME ":" fn_line " " fn_name
      in_fn = 0
      reset_header()
    }
  }
  BEGIN {
    n = split("auto break case char const continue default do double else enum extern float for goto if " \
              "inline int long register restrict return short signed sizeof static struct switch typedef " \
              "union unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Noreturn _Static_assert " \
              "_Thread_local alignas alignof __attribute__ __attribute __declspec __extension__ __inline " \
              "__inline__ __restrict __restrict__ __asm__ asm __typeof__ typeof", kw, " ")
    for (i = 1; i <= n; i++) keyword[kw[i]] = 1
  }
  FNR == 1 {
    if (NR > 1 && !bad) finish_file()
    depth = 0; in_comment = 0; in_macro = 0; in_fn = 0; bad = 0
    reset_header()
  }
  bad { next }
  {
    line = $0
    sub(/\r$/, "", line)
    if (in_macro) { in_macro = line ~ /\\$/; next }
    if (!in_comment && line ~ /^[ \t]*#/) { in_macro = line ~ /\\$/; next }
    L = length(line)
    i = 1
    while (i <= L && !bad) {
      c = substr(line, i, 1)
      if (in_comment) {
        if (c == "*" && substr(line, i + 1, 1) == "/") { in_comment = 0; add(" "); i += 2 }
        else i++
        continue
      }
      if (c == "/" && substr(line, i + 1, 1) == "*") { in_comment = 1; i += 2; continue }
      if (c == "/" && substr(line, i + 1, 1) == "/") break
      if (c == "\"" || c == "\047") {
        q = c
        for (i++; i <= L; i++) {
          d = substr(line, i, 1)
          if (d == "\\") i++
          else if (d == q) break
        }
        add(q q)
        i++
        continue
      }
      handle(c)
      i++
    }
    add("\n")
  }
  END { if (NR > 0 && !bad) finish_file() }
' "${files[@]}")

if grep -q '^ERROR ' <<<"$found"; then
  grep '^ERROR ' <<<"$found" | sed 's/^ERROR /function_length: /' >&2
  exit 2
fi
n_fn=$(grep -c . <<<"$found" || true)
if [ "$n_fn" -eq 0 ]; then
  echo "function_length: no function found in $n_files (a parsing problem?)" >&2
  exit 2
fi
if [ "$top" -gt 0 ]; then
  [ "$top" -le "$n_fn" ] || top=$n_fn
  echo "the $top longest of $n_fn functions in $n_files:"
  sort -k1,1nr -k2,2 <<<"$found" | awk -v top="$top" 'NR <= top { printf "  %4d  %s  %s\n", $1, $2, $3 }'
fi
over=$(awk -v max="$max" '$1 > max' <<<"$found" | sort -k1,1nr -k2,2)
if [ -n "$over" ]; then
  awk -v max="$max" '{ printf "%s: %s is %d lines (limit %d)\n", $2, $3, $1, max }' <<<"$over"
  echo "function_length: $(grep -c . <<<"$over") of $n_fn functions longer than $max lines" >&2
  exit 1
fi
longest=$(sort -k1,1nr -k2,2 <<<"$found" | awk 'NR == 1')
echo "function_length: $n_fn functions in $n_files, none longer than $max lines" \
     "(longest: $(awk '{ print $3 " at " $2 ", " $1 " lines" }' <<<"$longest"))"
