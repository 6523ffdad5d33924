//! Response bodies of disks and VMs, shared by noise and fixed calls.

use std::io::Write;

use super::calls::arm_id;
use super::generator::{AzureGen, REGION};
use crate::rng::Rng;
use crate::time;

impl AzureGen {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn disk_response(
        &self,
        r: &mut Rng,
        rg: &str,
        disk: &str,
        option: &str,
        source: &str,
        state: &str,
        t_created: i64,
    ) -> Vec<u8> {
        let mut b = Vec::with_capacity(1024);
        w!(
            b,
            r#"{{"name":"{disk}","id":"{}","type":"Microsoft.Compute/disks","location":"{REGION}","sku":{{"name":"Premium_LRS","tier":"Premium"}},"properties":{{"osType":"Linux","hyperVGeneration":"V2","supportedCapabilities":{{"architecture":"x64"}},"creationData":{{"createOption":"{option}","#,
            arm_id(&self.sub, rg, "Microsoft.Compute", "disks", disk)
        );
        if !source.is_empty() {
            w!(
                b,
                r#""sourceResourceId":"{source}","sourceUniqueId":"{}","#,
                r.uuid()
            );
        }
        b.truncate(b.len() - 1);
        b.extend_from_slice(br#"},"diskSizeGB":30,"diskIOPSReadWrite":120,"diskMBpsReadWrite":25,"encryption":{"type":"EncryptionAtRestWithPlatformKey"},"networkAccessPolicy":"AllowAll","publicNetworkAccess":"Enabled","timeCreated":""#);
        let mut ts = Vec::new();
        time::iso(&mut ts, t_created, 7);
        ts.pop();
        b.extend_from_slice(&ts);
        w!(
            b,
            r#"+00:00","provisioningState":"{state}","diskState":"Unattached","diskSizeBytes":32212254720,"uniqueId":"{}","tier":"P4"}}}}"#,
            r.uuid()
        );
        b
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn vm_model(
        &self,
        b: &mut Vec<u8>,
        rg: &str,
        vm: &str,
        size: &str,
        os_name: &str,
        os_id: &str,
        data_id: Option<&str>,
        from_image: bool,
        extra: Option<(&str, &str)>,
    ) {
        w!(
            b,
            r#"{{"location":"{REGION}","tags":{{"env":"prod","app":"web"}},"properties":{{"hardwareProfile":{{"vmSize":"{size}"}},"storageProfile":{{"#
        );
        if from_image {
            b.extend_from_slice(br#""imageReference":{"publisher":"Canonical","offer":"0001-com-ubuntu-server-jammy","sku":"22_04-lts-gen2","version":"latest"},"#);
        }
        w!(
            b,
            r#""osDisk":{{"osType":"Linux","name":"{os_name}","createOption":"{}","caching":"ReadWrite","managedDisk":{{"id":"{os_id}","storageAccountType":"Premium_LRS"}},"deleteOption":"{}","diskSizeGB":30}},"dataDisks":["#,
            if from_image { "FromImage" } else { "Attach" },
            if from_image { "Delete" } else { "Detach" }
        );
        if let Some(d) = data_id {
            let name = d.rsplit('/').next().unwrap_or(d);
            w!(
                b,
                r#"{{"lun":0,"name":"{name}","createOption":"Attach","caching":"None","managedDisk":{{"id":"{d}","storageAccountType":"Premium_LRS"}},"deleteOption":"Detach","diskSizeGB":30}}"#
            );
        }
        w!(
            b,
            r#"],"diskControllerType":"SCSI"}},"securityProfile":{{"uefiSettings":{{"secureBootEnabled":true,"vTpmEnabled":true}},"securityType":"TrustedLaunch"}},"networkProfile":{{"networkInterfaces":[{{"id":"{}","properties":{{"deleteOption":"Detach"}}}}]}},"diagnosticsProfile":{{"bootDiagnostics":{{"enabled":true}}}}"#,
            arm_id(
                &self.sub,
                rg,
                "Microsoft.Network",
                "networkInterfaces",
                &format!("{vm}-nic01")
            )
        );
        if let Some((k, v)) = extra {
            w!(b, r#","{k}":{v}"#);
        }
        b.extend_from_slice(b"}}");
    }
}
