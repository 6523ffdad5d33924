# ---------------------------------------------------------------- Azure
need az "install the Azure CLI and sign in (az login) to a SANDBOX subscription"
TAG_KEY='revertwatch-kit-run'
TAG="$TAG_KEY=$RUN_ID"
# Everything the run creates goes in this resource group, which the run creates and deletes:
# the VM's network interface and virtual network that `az vm create` adds are deleted with it.
RG="rg-$RUN_ID"
# The test VM; the scenarios that need none leave these unused.
# shellcheck disable=SC2034
{
    VM="$RUN_ID-vm"
    VM_IMAGE='Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest'
    VM_SIZE='Standard_B1s'
}
KEY_DIR=''
CLEANUP_SCOPE="in resource group $RG and tagged $TAG"
CLEANUP_TELEMETRY="Microsoft.Resources/subscriptions/resourceGroups/delete"

say "revertwatch kit run $RUN_ID: $SCENARIO on Azure, location $LOCATION"
if ((EXECUTE)); then
    SUBSCRIPTION="$(az account show --query '[name, id]' --output tsv)"
    say "Subscription: $SUBSCRIPTION"
    need ssh-keygen "needed for a throwaway SSH key for the test VM"
else
    say "Dry run: nothing will be created. Add --execute to perform it in a SANDBOX subscription."
fi

# A throwaway SSH key for the test VMs, so that nothing is written to ~/.ssh. Nobody logs in.
make_key() {
    if ((EXECUTE)); then
        KEY_DIR="$(mktemp -d)"
        ssh-keygen -q -t rsa -b 3072 -N '' -C "revertwatch-kit-$RUN_ID" -f "$KEY_DIR/id_rsa"
    else
        KEY_DIR='dry-run:key-dir'
    fi
}

# Deletes the run's resource group (and so all in it), then anything else with the run's tag.
sweep() {
    local failed=0 exists
    exists="$(capture true az group exists --name "$RG")" || failed=1
    if [[ $exists == true ]]; then
        run az group delete --name "$RG" --yes || failed=1
    fi
    list_ids dry-run:resource-id az resource list --tag "$TAG" --query '[].id' --output tsv || failed=1
    if ((${#IDS[@]})); then
        run az resource delete --ids "${IDS[@]}" || failed=1
    fi
    if [[ -n $KEY_DIR && -d $KEY_DIR ]]; then
        rm -rf -- "$KEY_DIR"
    fi
    return "$failed"
}

# Prints what of the run is still there.
leftovers() {
    local exists id
    exists="$(az group exists --name "$RG")" || exists="cannot tell"
    if [[ $exists != false ]]; then
        printf 'resource group %s (exists: %s)\n' "$RG" "$exists"
    fi
    list_ids '' az resource list --tag "$TAG" --query '[].id' --output tsv || echo "resources: cannot list"
    for id in "${IDS[@]}"; do printf 'resource %s\n' "$id"; done
}

# What to hunt once the Activity Log has the events.
hunt_hint() {
    say ""
    say "Done. The Activity Log shows the events within about 15 minutes; then hunt them:"
    say "  az monitor activity-log list --resource-group $(printf '%q' "$RG") --start-time $STARTED \\"
    say "      --output json > kit-$RUN_ID.json"
    say "  revertwatch hunt kit-$RUN_ID.json"
}
