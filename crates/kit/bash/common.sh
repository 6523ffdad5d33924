# ---------------------------------------------------------------- how this script runs
# Dry run unless --execute: every step prints its command and the telemetry to expect, and no
# cloud command runs.
EXECUTE=0
case "$#:${1:-}" in
    0: | 1:--dry-run) ;;
    1:--execute) EXECUTE=1 ;;
    *)
        printf 'usage: %s [--dry-run | --execute]\n' "$0" >&2
        exit 2
        ;;
esac
run_id_pattern='^[a-z][a-z0-9-]{2,22}[a-z0-9]$'
if [[ ! $RUN_ID =~ $run_id_pattern ]]; then
    printf 'invalid RUN_ID %q: 4-24 lower-case letters, digits and hyphens, starting with a letter\n' "$RUN_ID" >&2
    exit 2
fi
shopt -s inherit_errexit

# The narrative goes to fd 3 (stdout), so that it shows even from inside $(...).
exec 3>&1
STEP=0
STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
IDS=()

say() {
    printf '%s\n' "$*" >&3
}

step() {
    STEP=$((STEP + 1))
    printf '\n== Step %d of %d: %s\n' "$STEP" "$STEPS" "$1" >&3
}

# The audit-log event the step should leave, as the cloud logs it, and the fields that tie it
# to this run.
expect() {
    printf '   expect: %s  [%s]\n' "$1" "$2" >&3
}

show() {
    local quoted
    quoted="$(printf '%q ' "$@")"
    printf '   + %s\n' "${quoted% }" >&3
}

run() {
    show "$@"
    if ((EXECUTE)); then
        "$@"
    fi
}

# Prints the one value the command prints (an id, asked for with --query and text output), or
# in a dry run the placeholder that stands for it. An empty answer is an error.
capture() {
    local placeholder=$1 out
    shift
    show "$@"
    if ((!EXECUTE)); then
        printf '%s\n' "$placeholder"
        return 0
    fi
    out="$("$@")"
    if [[ -z $out || $out == None ]]; then
        printf 'no value from: %s\n' "$*" >&2
        return 1
    fi
    printf '%s\n' "$out"
}

# Sets IDS to the words a listing prints (empty is fine), or to the placeholder in a dry run.
list_ids() {
    local placeholder=$1 out
    shift
    show "$@"
    IDS=()
    if ((!EXECUTE)); then
        IDS=("$placeholder")
        return 0
    fi
    out="$("$@")" || return 1
    # shellcheck disable=SC2034  # read by the caller
    read -r -d '' -a IDS <<<"$out" || true
}

need() {
    if ((EXECUTE)) && ! command -v "$1" >/dev/null 2>&1; then
        printf '%s not found: %s\n' "$1" "$2" >&2
        exit 2
    fi
}

# Runs on every exit, after a failed step too: deletes everything tagged with the run id, then
# lists what is still there. A leftover makes the exit status non-zero.
cleanup() {
    local rc=$? left
    trap - EXIT
    set +e
    printf '\n== Cleanup: delete everything %s\n' "$CLEANUP_SCOPE" >&3
    expect "$CLEANUP_TELEMETRY" "every resource of this run"
    sweep || say "   (a delete failed; checking what is left)"
    if ((!EXECUTE)); then
        say ""
        say "Dry run: nothing was created and nothing was deleted. Run with --execute to perform it."
        exit "$rc"
    fi
    left="$(leftovers)"
    if [[ -n $left ]]; then
        printf 'LEFT BEHIND, delete by hand:\n%s\n' "$left" >&2
        if ((rc == 0)); then
            rc=1
        fi
    else
        say "Cleanup done: nothing $CLEANUP_SCOPE is left."
    fi
    if ((rc != 0)); then
        printf 'revertwatch kit: run %s ended with status %d\n' "$RUN_ID" "$rc" >&2
    fi
    exit "$rc"
}
