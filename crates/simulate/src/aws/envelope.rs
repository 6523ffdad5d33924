//! The CloudTrail record around a call: the head up to `userAgent`, the tail from
//! `requestID`, and the response pieces that noise and fixed calls share.

use std::io::Write;

use super::generator::AwsGen;
use super::personas::{Persona, Ua};
use crate::rng::Rng;
use crate::time::{self, SEC};

impl AwsGen {
    /// `{"eventVersion":...,"userAgent":"..."` and, for a failure, `errorCode`/`errorMessage`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn head(
        &self,
        b: &mut Vec<u8>,
        p: &Persona,
        t: i64,
        version: &str,
        source: &str,
        name: &str,
        cli: &str,
        global: bool,
    ) {
        w!(
            b,
            r#"{{"eventVersion":"{version}","userIdentity":{},"eventTime":""#,
            p.ident
        );
        time::iso(b, t, 0);
        let region = if global { "us-east-1" } else { &self.region };
        w!(
            b,
            r#"","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{}","userAgent":""#,
            p.ip
        );
        match &p.ua {
            Ua::Cli(prefix) => {
                b.extend_from_slice(prefix.as_bytes());
                b.extend_from_slice(cli.as_bytes());
            }
            Ua::Fixed(s) => b.extend_from_slice(s.as_bytes()),
            Ua::Console => b.extend_from_slice(if source == "ec2.amazonaws.com" {
                b"console.ec2.amazonaws.com"
            } else {
                b"AWS Internal"
            }),
        }
        b.push(b'"');
    }

    /// The head of a regional call of event version 1.09, the version of most services.
    pub(super) fn call_head(
        &self,
        b: &mut Vec<u8>,
        p: &Persona,
        t: i64,
        source: &str,
        name: &str,
        cli: &str,
    ) {
        self.head(b, p, t, "1.09", source, name, cli, false);
    }

    /// The tail of a management call that lists no resources.
    pub(super) fn call_tail(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        rid: &[u8],
        read_only: bool,
        host: &str,
    ) {
        self.tail(b, r, p, rid, read_only, None, false, false, host);
    }

    /// From `requestID` to the end of the record.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn tail(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        rid: &[u8],
        read_only: bool,
        resources: Option<&[u8]>,
        data: bool,
        shared: bool,
        host: &str,
    ) {
        b.extend_from_slice(br#","requestID":""#);
        b.extend_from_slice(rid);
        b.extend_from_slice(br#"","eventID":""#);
        b.extend_from_slice(r.uuid().bytes());
        w!(b, r#"","readOnly":{read_only}"#);
        if let Some(res) = resources {
            b.extend_from_slice(br#","resources":"#);
            b.extend_from_slice(res);
        }
        w!(
            b,
            r#","eventType":"AwsApiCall","managementEvent":{},"recipientAccountId":"{}""#,
            !data,
            self.acct
        );
        if shared {
            b.extend_from_slice(br#","sharedEventID":""#);
            b.extend_from_slice(r.uuid().bytes());
            b.push(b'"');
        }
        b.extend_from_slice(if data {
            br#","eventCategory":"Data""#
        } else {
            br#","eventCategory":"Management""#
        });
        if p.tls && !host.is_empty() {
            w!(
                b,
                r#","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{host}"}}"#
            );
        }
        if p.console {
            b.extend_from_slice(br#","sessionCredentialFromConsole":"true""#);
        }
        b.push(b'}');
    }

    pub(super) fn error(b: &mut Vec<u8>, code: &str, msg: &str) {
        w!(b, r#","errorCode":"{code}","errorMessage":"{msg}""#);
    }

    pub(super) fn items(b: &mut Vec<u8>, key: &str, ids: &[String]) {
        b.extend_from_slice(br#"{"items":["#);
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            w!(b, r#"{{"{key}":"{id}"}}"#);
        }
        b.extend_from_slice(b"]}");
    }

    pub(super) fn s3_request_id(r: &mut Rng) -> [u8; 16] {
        let mut v = Vec::with_capacity(16);
        r.upper_alnum(&mut v, 16);
        let mut out = [0u8; 16];
        out.copy_from_slice(&v);
        out
    }

    /// Writes from `requestParameters` through `responseElements` of a RunInstances call.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_instances(
        &self,
        b: &mut Vec<u8>,
        r: &mut Rng,
        p: &Persona,
        t: i64,
        ami: &str,
        inst: &str,
        rid: &crate::rng::Uuid,
        fail: bool,
        asg: Option<&str>,
    ) {
        self.head(
            b,
            p,
            t,
            "1.09",
            "ec2.amazonaws.com",
            "RunInstances",
            "ec2.run-instances",
            false,
        );
        if fail {
            Self::error(
                b,
                "Client.InsufficientInstanceCapacity",
                "We currently do not have sufficient capacity in the Availability Zone you requested.",
            );
        }
        let token = r.uuid();
        let subnet = r.pick(&self.subnets);
        let sg = r.pick(&self.sgs);
        let zone = r.pick(&self.zones);
        let itype = ["t3.micro", "t3.large", "m6i.large", "c6i.xlarge"][r.below(4) as usize];
        match asg {
            Some(group) => w!(
                b,
                r#","requestParameters":{{"instancesSet":{{"items":[{{"minCount":1,"maxCount":1}}]}},"launchTemplate":{{"launchTemplateId":"{}","version":"7"}},"availabilityZone":"{zone}","subnetId":"{subnet}","clientToken":"fleet-{token}-0","tagSpecificationSet":{{"items":[{{"resourceType":"instance","tags":[{{"key":"aws:autoscaling:groupName","value":"{group}"}}]}}]}}}}"#,
                self.launch_template
            ),
            None => w!(
                b,
                r#","requestParameters":{{"instancesSet":{{"items":[{{"imageId":"{ami}","minCount":1,"maxCount":1,"keyName":"ops-2024"}}]}},"instanceType":"{itype}","blockDeviceMapping":{{}},"monitoring":{{"enabled":false}},"subnetId":"{subnet}","disableApiTermination":false,"disableApiStop":false,"clientToken":"{token}","groupSet":{{"items":[{{"groupId":"{sg}"}}]}}}}"#
            ),
        }
        if fail {
            b.extend_from_slice(br#","responseElements":null"#);
            return;
        }
        let ip = [10u8, 20, r.below(8) as u8, 4 + r.below(250) as u8];
        let dns = format!("ip-{}-{}-{}-{}.ec2.internal", ip[0], ip[1], ip[2], ip[3]);
        let ipdot = format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
        let launch = (t / SEC) * 1000;
        let vpc = &self.vpcs[0];
        let mut eni = b"eni-0".to_vec();
        r.hex(&mut eni, 16);
        let eni = String::from_utf8(eni).expect("ascii");
        let mut mac = String::new();
        for i in 0..6 {
            if i > 0 {
                mac.push(':');
            }
            mac.push_str(&format!("{:02x}", if i == 0 { 0x0a } else { r.below(256) }));
        }
        w!(
            b,
            r#","responseElements":{{"requestId":"{rid}","reservationId":"r-0"#
        );
        r.hex(b, 16);
        w!(
            b,
            r#"","ownerId":"{acct}","groupSet":{{}},"instancesSet":{{"items":[{{"instanceId":"{inst}","imageId":"{ami}","currentInstanceBootMode":"uefi","instanceState":{{"code":0,"name":"pending"}},"privateDnsName":"{dns}","amiLaunchIndex":0,"productCodes":{{}},"instanceType":"{itype}","launchTime":{launch},"placement":{{"availabilityZone":"{zone}","tenancy":"default"}},"monitoring":{{"state":"disabled"}},"subnetId":"{subnet}","vpcId":"{vpc}","privateIpAddress":"{ipdot}","stateReason":{{"code":"pending","message":"pending"}},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{{}},"virtualizationType":"hvm","hypervisor":"xen","clientToken":"{token}","groupSet":{{"items":[{{"groupId":"{sg}","groupName":"web-tier"}}]}},"sourceDestCheck":true,"networkInterfaceSet":{{"items":[{{"networkInterfaceId":"{eni}","subnetId":"{subnet}","vpcId":"{vpc}","ownerId":"{acct}","status":"in-use","macAddress":"{mac}","privateIpAddress":"{ipdot}","privateDnsName":"{dns}","sourceDestCheck":true,"interfaceType":"interface","groupSet":{{"items":[{{"groupId":"{sg}","groupName":"web-tier"}}]}},"attachment":{{"attachmentId":"eni-attach-0"#,
            acct = self.acct
        );
        r.hex(b, 16);
        w!(
            b,
            r#"","deviceIndex":0,"networkCardIndex":0,"status":"attaching","attachTime":{launch},"deleteOnTermination":true}},"privateIpAddressesSet":{{"item":[{{"privateIpAddress":"{ipdot}","privateDnsName":"{dns}","primary":true}}]}},"ipv6AddressesSet":{{}},"tagSet":{{}}}}]}},"ebsOptimized":false,"enaSupport":true,"cpuOptions":{{"coreCount":1,"threadsPerCore":2}},"capacityReservationSpecification":{{"capacityReservationPreference":"open"}},"hibernationOptions":{{"configured":false}},"enclaveOptions":{{"enabled":false}},"metadataOptions":{{"state":"pending","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled","httpProtocolIpv4":"enabled","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"}},"maintenanceOptions":{{"autoRecovery":"default"}},"privateDnsNameOptions":{{"hostnameType":"ip-name","enableResourceNameDnsARecord":false,"enableResourceNameDnsAAAARecord":false}}}}]}}}}"#
        );
    }

    pub(super) fn state_change(
        b: &mut Vec<u8>,
        rid: &crate::rng::Uuid,
        ids: &[String],
        cur: (u32, &str),
        prev: (u32, &str),
    ) {
        w!(
            b,
            r#","responseElements":{{"requestId":"{rid}","instancesSet":{{"items":["#
        );
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            w!(
                b,
                r#"{{"instanceId":"{id}","currentState":{{"code":{},"name":"{}"}},"previousState":{{"code":{},"name":"{}"}}}}"#,
                cur.0,
                cur.1,
                prev.0,
                prev.1
            );
        }
        b.extend_from_slice(b"]}}");
    }
}
