//! The long tail of noise: SSM, Secrets Manager, CloudWatch Logs, Backup and the rest.

use std::io::Write;

use crate::aws::generator::AwsGen;
use crate::aws::personas::*;
use crate::rng::{Rng, Uuid};
use crate::time;

impl AwsGen {
    pub(in crate::aws) fn other(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let k = r.weighted(&[40, 25, 20, 15]);
        let rid = r.uuid();
        match k {
            0 => self.ssm_heartbeat(b, r, t, &rid),
            1 => {
                let p = &self.p[[APP, LAMBDA][r.below(2) as usize]];
                self.call_head(
                    b,
                    p,
                    t,
                    "ssm.amazonaws.com",
                    "GetParameter",
                    "ssm.get-parameter",
                );
                if fail {
                    Self::error(b, "ParameterNotFound", "");
                }
                w!(
                    b,
                    r#","requestParameters":{{"name":"/prod/{}/{}","withDecryption":true}},"responseElements":null"#,
                    ["checkout", "orders", "search", "auth"][r.below(4) as usize],
                    ["db-host", "db-password", "api-key", "feature-flags"][r.below(4) as usize]
                );
                self.call_tail(b, r, p, rid.bytes(), true, &self.hosts.ssm);
            }
            2 => {
                let p = &self.p[[APP, LAMBDA][r.below(2) as usize]];
                self.call_head(
                    b,
                    p,
                    t,
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    "secretsmanager.get-secret-value",
                );
                if fail {
                    Self::error(b, "AccessDenied", "Access to KMS is not allowed");
                }
                w!(
                    b,
                    r#","requestParameters":{{"secretId":"arn:aws:secretsmanager:{}:{}:secret:prod/{}-"#,
                    self.region,
                    self.acct,
                    ["orders/db", "checkout/stripe", "search/api"][r.below(3) as usize]
                );
                r.alnum(b, 6);
                b.extend_from_slice(br#""},"responseElements":null"#);
                self.call_tail(b, r, p, rid.bytes(), true, &self.hosts.secrets);
            }
            _ => self.log_stream(b, r, t, &rid),
        }
    }

    /// The SSM agent's heartbeat from an instance.
    fn ssm_heartbeat(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, rid: &Uuid) {
        let p = &self.p[SSM];
        self.call_head(
            b,
            p,
            t,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            "",
        );
        let inst = r.pick(&self.instances);
        let ip = [10, 20, r.below(8) as u8, 4 + r.below(250) as u8];
        w!(
            b,
            r#","requestParameters":{{"instanceId":"{inst}","agentVersion":"3.3.40.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"{}.{}.{}.{}","computerName":"ip-{}-{}-{}-{}.ec2.internal","agentName":"amazon-ssm-agent","availabilityZone":"{}","availabilityZoneId":"use1-az{}"}},"responseElements":null"#,
            ip[0],
            ip[1],
            ip[2],
            ip[3],
            ip[0],
            ip[1],
            ip[2],
            ip[3],
            r.pick(&self.zones),
            1 + r.below(6)
        );
        self.call_tail(b, r, p, rid.bytes(), false, &self.hosts.ssm);
    }

    /// A Lambda function's new log stream.
    fn log_stream(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, rid: &Uuid) {
        let p = &self.p[LAMBDA];
        self.call_head(b, p, t, "logs.amazonaws.com", "CreateLogStream", "");
        let c = time::civil(t);
        w!(
            b,
            r#","requestParameters":{{"logGroupName":"/aws/lambda/order-processor","logStreamName":"{:04}/{:02}/{:02}/[$LATEST]"#,
            c.year,
            c.month,
            c.day
        );
        r.hex(b, 32);
        b.extend_from_slice(br#""},"responseElements":null"#);
        self.call_tail(b, r, p, rid.bytes(), false, &self.hosts.logs);
    }
}
