//! Who makes AWS calls: user agents, identities and their `userIdentity` blocks.

use crate::rng::{hash, Rng};
use crate::time;

pub(super) const CLI_LINUX: &str =
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/";
pub(super) const CLI_MAC: &str =
    "aws-cli/2.17.2 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off command/";
pub(super) const CLI_WIN: &str =
    "aws-cli/2.13.4 Python/3.11.4 Windows/10 exe/AMD64 prompt/off command/";
pub(super) const BOTO3: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51";
pub(super) const BOTO3_LAMBDA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.877.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.51";
pub(super) const TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0";
pub(super) const JAVA: &str = "aws-sdk-java/2.25.11 Linux/6.1.79-99.164.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy";
pub(super) const SSM_AGENT: &str =
    "aws-sdk-go/1.44.329 (go1.21.6; linux; amd64) amazon-ssm-agent/3.3.40.0";
pub(super) const SCHED_UA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.877.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.34.51 AwsSolution/SO0030/v1.5.6";

pub(super) enum Ua {
    Cli(&'static str),
    Fixed(String),
    /// console.ec2.amazonaws.com for EC2, AWS Internal elsewhere
    Console,
}

pub(super) struct Persona {
    pub(super) ident: String,
    pub(super) ip: String,
    pub(super) ua: Ua,
    pub(super) tls: bool,
    pub(super) console: bool,
}

// noise personas
pub(super) const ALICE: usize = 0;
pub(super) const BOB: usize = 1;
pub(super) const SSO: usize = 2;
pub(super) const TF: usize = 3;
pub(super) const APP: usize = 4;
pub(super) const LAMBDA: usize = 5;
pub(super) const CONFIG: usize = 6;
pub(super) const INSPECTOR: usize = 7;
pub(super) const CT: usize = 8;
pub(super) const SSM: usize = 9;
pub(super) const INTERNAL: usize = 10;
pub(super) const WIN: usize = 11;

pub(super) fn pid(prefix: &str, acct: &str, name: &str) -> String {
    let mut r = Rng::new(hash(&[acct.as_bytes(), name.as_bytes(), prefix.as_bytes()]));
    let mut v = prefix.as_bytes().to_vec();
    r.upper_alnum(&mut v, if prefix.starts_with("AKIA") { 16 } else { 17 });
    String::from_utf8(v).expect("ascii")
}

pub(super) fn iam_user(acct: &str, name: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"{}","arn":"arn:aws:iam::{acct}:user/{name}","accountId":"{acct}","accessKeyId":"{}","userName":"{name}"}}"#,
        pid("AIDA", acct, name),
        pid("AKIA", acct, name),
    )
}

/// An assumed-role session; `path` is the role's IAM path (`""`, `service-role/`, ...).
#[allow(clippy::too_many_arguments)]
pub(super) fn assumed_role(
    acct: &str,
    role: &str,
    path: &str,
    session: &str,
    created: i64,
    invoked_by: Option<&str>,
    ec2_delivery: bool,
    rng: &mut Rng,
) -> String {
    let role_id = pid("AROA", acct, role);
    let mut key = b"ASIA".to_vec();
    rng.upper_alnum(&mut key, 16);
    let mut s = format!(
        r#"{{"type":"AssumedRole","principalId":"{role_id}:{session}","arn":"arn:aws:sts::{acct}:assumed-role/{role}/{session}","accountId":"{acct}","accessKeyId":"{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{acct}:role/{path}{role}","accountId":"{acct}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}"#,
        String::from_utf8(key).expect("ascii"),
        time::iso_string(created, 0),
    );
    if ec2_delivery {
        s.push_str(r#","ec2RoleDelivery":"2.0""#);
    }
    s.push('}');
    if let Some(by) = invoked_by {
        s.push_str(&format!(r#","invokedBy":"{by}""#));
    }
    s.push('}');
    s
}

pub(super) fn service_persona(ident: String, host: &str) -> Persona {
    Persona {
        ident,
        ip: host.to_string(),
        ua: Ua::Fixed(host.to_string()),
        tls: false,
        console: false,
    }
}
