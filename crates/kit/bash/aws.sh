# ---------------------------------------------------------------- AWS
need aws "install the AWS CLI (v1 or v2) and sign in to a sandbox account"
TAG_KEY='revertwatch-kit-run'
NAME="revertwatch-kit-$RUN_ID"
FILTER="Name=tag:$TAG_KEY,Values=$RUN_ID"
TAGS="{Key=$TAG_KEY,Value=$RUN_ID},{Key=Name,Value=$NAME}"
# One per resource type; each scenario uses some of them.
# shellcheck disable=SC2034
{
    TAGS_INSTANCE="ResourceType=instance,Tags=[$TAGS]"
    TAGS_VOLUME="ResourceType=volume,Tags=[$TAGS]"
    TAGS_SNAPSHOT="ResourceType=snapshot,Tags=[$TAGS]"
    TAGS_IMAGE="ResourceType=image,Tags=[$TAGS]"
}
CLEANUP_SCOPE="tagged $TAG_KEY=$RUN_ID in $REGION"
CLEANUP_TELEMETRY="ec2.amazonaws.com TerminateInstances, DeregisterImage, DeleteVolume, DeleteSnapshot"

say "revertwatch kit run $RUN_ID: $SCENARIO on AWS, region $REGION"
if ((EXECUTE)); then
    IDENTITY="$(aws sts get-caller-identity --query Arn --output text)"
    say "Signed in as: $IDENTITY"
else
    say "Dry run: nothing will be created. Add --execute to perform it in a SANDBOX account."
fi

# Deletes, in dependency order, every instance, image, volume and snapshot with the run's tag:
# found by tag, not by the ids the steps captured, so that a run that failed half-way (or was
# interrupted between a create and its id being read) is cleaned up as well.
sweep() {
    local failed=0 id
    list_ids dry-run:instance aws ec2 describe-instances --region "$REGION" --filters "$FILTER" \
        "Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down" \
        --query 'Reservations[].Instances[].InstanceId' --output text || failed=1
    if ((${#IDS[@]})); then
        run aws ec2 terminate-instances --region "$REGION" --instance-ids "${IDS[@]}" \
            --query 'TerminatingInstances[].CurrentState.Name' --output text || failed=1
        run aws ec2 wait instance-terminated --region "$REGION" --instance-ids "${IDS[@]}" || failed=1
    fi
    # An image's backing snapshots go with it: the run made the image. (Registering from the
    # run's own snapshot, AWS adds none; the moto server the tests use adds one per image.)
    list_ids dry-run:image-snapshot aws ec2 describe-images --region "$REGION" --owners self \
        --filters "$FILTER" --query 'Images[].BlockDeviceMappings[].Ebs.SnapshotId' --output text || failed=1
    local -A snapshots=()
    for id in "${IDS[@]}"; do
        snapshots[$id]=1
    done
    list_ids dry-run:image aws ec2 describe-images --region "$REGION" --owners self --filters "$FILTER" \
        --query 'Images[].ImageId' --output text || failed=1
    for id in "${IDS[@]}"; do
        run aws ec2 deregister-image --region "$REGION" --image-id "$id" || failed=1
    done
    list_ids dry-run:volume aws ec2 describe-volumes --region "$REGION" --filters "$FILTER" \
        --query 'Volumes[].VolumeId' --output text || failed=1
    if ((${#IDS[@]})); then
        # The volumes of the instances just terminated detach by themselves: wait for that.
        run aws ec2 wait volume-available --region "$REGION" --volume-ids "${IDS[@]}" || failed=1
        for id in "${IDS[@]}"; do
            run aws ec2 delete-volume --region "$REGION" --volume-id "$id" || failed=1
        done
    fi
    list_ids dry-run:snapshot aws ec2 describe-snapshots --region "$REGION" --owner-ids self \
        --filters "$FILTER" --query 'Snapshots[].SnapshotId' --output text || failed=1
    for id in "${IDS[@]}"; do
        snapshots[$id]=1
    done
    for id in "${!snapshots[@]}"; do
        run aws ec2 delete-snapshot --region "$REGION" --snapshot-id "$id" || failed=1
    done
    return "$failed"
}

# Prints `kind id` for each resource of the run that is still there.
leftovers() {
    local id
    list_ids '' aws ec2 describe-instances --region "$REGION" --filters "$FILTER" \
        "Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down" \
        --query 'Reservations[].Instances[].InstanceId' --output text || echo "instances: cannot list"
    for id in "${IDS[@]}"; do printf 'instance %s\n' "$id"; done
    list_ids '' aws ec2 describe-images --region "$REGION" --owners self --filters "$FILTER" \
        --query 'Images[].ImageId' --output text || echo "images: cannot list"
    for id in "${IDS[@]}"; do printf 'image %s\n' "$id"; done
    list_ids '' aws ec2 describe-volumes --region "$REGION" --filters "$FILTER" \
        --query 'Volumes[].VolumeId' --output text || echo "volumes: cannot list"
    for id in "${IDS[@]}"; do printf 'volume %s\n' "$id"; done
    list_ids '' aws ec2 describe-snapshots --region "$REGION" --owner-ids self --filters "$FILTER" \
        --query 'Snapshots[].SnapshotId' --output text || echo "snapshots: cannot list"
    for id in "${IDS[@]}"; do printf 'snapshot %s\n' "$id"; done
}

# What to hunt once CloudTrail has the events.
hunt_hint() {
    say ""
    say "Done. CloudTrail shows management events within about 15 minutes; then hunt them:"
    say "  aws cloudtrail lookup-events --region $(printf '%q' "$REGION") --start-time $STARTED \\"
    say "      --lookup-attributes AttributeKey=EventSource,AttributeValue=ec2.amazonaws.com \\"
    say "      --output json > kit-$RUN_ID.json"
    say "  revertwatch hunt kit-$RUN_ID.json"
}
