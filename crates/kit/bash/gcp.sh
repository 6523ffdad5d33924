# ---------------------------------------------------------------- Google Cloud
need gcloud "install the Google Cloud CLI and sign in (gcloud auth login) to a SANDBOX project"
LABEL_KEY='revertwatch-kit-run'
LABELS="$LABEL_KEY=$RUN_ID"
LABEL_FILTER="labels.$LABEL_KEY=$RUN_ID"
# Names; each scenario uses some of them.
# shellcheck disable=SC2034
{
    VM="$RUN_ID-vm"
    SNAPSHOT="$RUN_ID-snap"
}
CLEANUP_TELEMETRY="compute.googleapis.com v1.compute.instances.delete, v1.compute.images.delete, v1.compute.disks.delete, v1.compute.snapshots.delete"

if ((EXECUTE)); then
    PROJECT="${CLOUDSDK_CORE_PROJECT:-$(gcloud config get-value project 2>/dev/null)}"
    if [[ -z $PROJECT ]]; then
        echo "no project: set one with gcloud config set project PROJECT_ID" >&2
        exit 2
    fi
else
    PROJECT="${CLOUDSDK_CORE_PROJECT:-dry-run:project}"
fi
CLEANUP_SCOPE="labelled $LABELS in project $PROJECT"
say "revertwatch kit run $RUN_ID: $SCENARIO on Google Cloud, project $PROJECT, zone $ZONE"
if ((!EXECUTE)); then
    say "Dry run: nothing will be created. Add --execute to perform it in a SANDBOX project."
fi

# Deletes every instance, image, disk and snapshot with the run's label, in that order (a disk
# in use by an instance cannot go before the instance).
sweep() {
    local failed=0 out name zone
    out="$(listing 'dry-run:instance dry-run:zone' gcloud compute instances list --project "$PROJECT" \
        --filter "$LABEL_FILTER" --format 'value(name,zone.basename())')" || failed=1
    while read -r name zone; do
        [[ -n $name ]] || continue
        run gcloud compute instances delete "$name" --project "$PROJECT" --zone "$zone" --quiet || failed=1
    done <<<"$out"
    out="$(listing dry-run:image gcloud compute images list --project "$PROJECT" --no-standard-images \
        --filter "$LABEL_FILTER" --format 'value(name)')" || failed=1
    while read -r name; do
        [[ -n $name ]] || continue
        run gcloud compute images delete "$name" --project "$PROJECT" --quiet || failed=1
    done <<<"$out"
    out="$(listing 'dry-run:disk dry-run:zone' gcloud compute disks list --project "$PROJECT" \
        --filter "$LABEL_FILTER" --format 'value(name,zone.basename())')" || failed=1
    while read -r name zone; do
        [[ -n $name ]] || continue
        run gcloud compute disks delete "$name" --project "$PROJECT" --zone "$zone" --quiet || failed=1
    done <<<"$out"
    out="$(listing dry-run:snapshot gcloud compute snapshots list --project "$PROJECT" \
        --filter "$LABEL_FILTER" --format 'value(name)')" || failed=1
    while read -r name; do
        [[ -n $name ]] || continue
        run gcloud compute snapshots delete "$name" --project "$PROJECT" --quiet || failed=1
    done <<<"$out"
    return "$failed"
}

# What a listing prints, or in a dry run the placeholder line.
listing() {
    local placeholder=$1
    shift
    show "$@"
    if ((EXECUTE)); then
        "$@"
    else
        printf '%s\n' "$placeholder"
    fi
}

# Prints what of the run is still there.
leftovers() {
    local kind name extra out
    for kind in instances images disks snapshots; do
        extra=()
        if [[ $kind == images ]]; then
            extra=(--no-standard-images)
        fi
        out="$(gcloud compute "$kind" list --project "$PROJECT" "${extra[@]}" \
            --filter "$LABEL_FILTER" --format 'value(name)')" || out="(cannot list)"
        while read -r name; do
            [[ -n $name ]] || continue
            printf '%s %s\n' "$kind" "$name"
        done <<<"$out"
    done
}

# What to hunt once Cloud Audit Logs have the events.
hunt_hint() {
    say ""
    say "Done. Admin Activity audit logs show the events within minutes; then hunt them:"
    say "  gcloud logging read --project $(printf '%q' "$PROJECT") --format json \\"
    say "      'logName:\"cloudaudit.googleapis.com%2Factivity\" AND timestamp>=\"$STARTED\"' > kit-$RUN_ID.json"
    say "  revertwatch hunt kit-$RUN_ID.json"
}
