//! IAM, KMS and STS noise.

use std::io::Write;

use crate::aws::generator::AwsGen;
use crate::aws::personas::*;
use crate::rng::Rng;
use crate::time::{self, HOUR};

/// What an IAM read names: a user or a role of the account, a role's policy, or nothing.
enum IamParams {
    User,
    Role,
    RolePolicy,
    Null,
}

/// How often each of `IAM_READS` is made, in order.
const IAM_READ_WEIGHTS: [u32; 8] = [14, 22, 10, 16, 10, 10, 6, 12];

/// (event name, CLI command, request parameters) of the IAM reads.
const IAM_READS: [(&str, &str, IamParams); 8] = [
    ("GetUser", "iam.get-user", IamParams::User),
    ("GetRole", "iam.get-role", IamParams::Role),
    ("ListRoles", "iam.list-roles", IamParams::Null),
    (
        "ListAttachedRolePolicies",
        "iam.list-attached-role-policies",
        IamParams::Role,
    ),
    ("GetPolicy", "iam.get-policy", IamParams::RolePolicy),
    ("ListAccessKeys", "iam.list-access-keys", IamParams::User),
    (
        "GetAccountPasswordPolicy",
        "iam.get-account-password-policy",
        IamParams::Null,
    ),
    ("ListMFADevices", "iam.list-mfa-devices", IamParams::User),
];

impl AwsGen {
    pub(in crate::aws) fn read_iam(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let pi = [ALICE, TF, CONFIG, SSO, WIN][r.weighted(&[15, 30, 35, 10, 10])];
        let p = &self.p[pi];
        let (name, cli, params) = &IAM_READS[r.weighted(&IAM_READ_WEIGHTS)];
        self.head(b, p, t, "1.09", "iam.amazonaws.com", name, cli, true);
        if fail {
            w!(
                b,
                r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform: iam:{name} because no identity-based policy allows the iam:{name} action""#
            );
        }
        b.extend_from_slice(br#","requestParameters":"#);
        match params {
            IamParams::User => w!(b, r#"{{"userName":"{}"}}"#, r.pick(&self.users)),
            IamParams::Role => w!(b, r#"{{"roleName":"{}"}}"#, r.pick(&self.roles)),
            IamParams::RolePolicy => w!(
                b,
                r#"{{"policyArn":"arn:aws:iam::{}:policy/{}-policy"}}"#,
                self.acct,
                r.pick(&self.roles)
            ),
            IamParams::Null => b.extend_from_slice(b"null"),
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let rid = r.uuid();
        self.call_tail(b, r, p, rid.bytes(), true, "iam.amazonaws.com");
    }

    pub(in crate::aws) fn kms(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let pi = [APP, LAMBDA, INTERNAL][r.weighted(&[40, 30, 30])];
        let p = &self.p[pi];
        let gdk = r.chance(0.35);
        let (name, cli) = if gdk {
            ("GenerateDataKey", "kms.generate-data-key")
        } else {
            ("Decrypt", "kms.decrypt")
        };
        let key = r.pick(&self.keys);
        self.call_head(b, p, t, "kms.amazonaws.com", name, cli);
        if fail {
            Self::error(
                b,
                "AccessDeniedException",
                "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
            );
        }
        b.extend_from_slice(br#","requestParameters":{"#);
        if gdk {
            w!(
                b,
                r#""keyId":"arn:aws:kms:{}:{}:key/{key}","keySpec":"AES_256","#,
                self.region,
                self.acct
            );
        } else {
            b.extend_from_slice(br#""encryptionAlgorithm":"SYMMETRIC_DEFAULT","#);
        }
        if pi == LAMBDA {
            w!(
                b,
                r#""encryptionContext":{{"aws:lambda:FunctionArn":"arn:aws:lambda:{}:{}:function:order-processor"}}}}"#,
                self.region,
                self.acct
            );
        } else {
            let bucket = &self.buckets[0];
            w!(
                b,
                r#""encryptionContext":{{"aws:s3:arn":"arn:aws:s3:::{}/"#,
                bucket.name
            );
            self.s3_key(b, r, bucket, t);
            b.extend_from_slice(br#""}}"#);
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let rid = r.uuid();
        let mut res = Vec::with_capacity(160);
        w!(
            res,
            r#"[{{"accountId":"{acct}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:{}:{acct}:key/{key}"}}]"#,
            self.region,
            acct = self.acct
        );
        self.tail(
            b,
            r,
            p,
            rid.bytes(),
            true,
            Some(&res),
            false,
            false,
            &self.hosts.kms,
        );
    }

    pub(in crate::aws) fn sts(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        if r.chance(0.3) {
            self.caller_identity(b, r, t);
            return;
        }
        // a service assumes an application role on behalf of an instance, function or task
        let (svc, role, session) = self.service_session(r);
        let p = Persona {
            ident: String::new(),
            ip: svc.to_string(),
            ua: Ua::Fixed(svc.to_string()),
            tls: false,
            console: false,
        };
        w!(
            b,
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AWSService","invokedBy":"{svc}"}},"eventTime":""#
        );
        time::iso(b, t, 0);
        w!(
            b,
            r#"","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"{}","sourceIPAddress":"{svc}","userAgent":"{svc}""#,
            self.region
        );
        if fail {
            Self::error(
                b,
                "AccessDenied",
                "Service is not authorized to perform: sts:AssumeRole on resource",
            );
        }
        let role_arn = format!("arn:aws:iam::{}:role/{role}", self.acct);
        w!(
            b,
            r#","requestParameters":{{"roleArn":"{role_arn}","roleSessionName":"{session}"}}"#
        );
        if fail {
            b.extend_from_slice(br#","responseElements":null"#);
        } else {
            b.extend_from_slice(br#","responseElements":{"credentials":{"accessKeyId":"ASIA"#);
            r.upper_alnum(b, 16);
            b.extend_from_slice(br#"","sessionToken":"IQoJb3JpZ2luX2VjE"#);
            r.b64(b, 380);
            b.extend_from_slice(br#"","expiration":""#);
            time::sts_expiration(b, t + HOUR);
            w!(
                b,
                r#""}},"assumedRoleUser":{{"assumedRoleId":"{}:{session}","arn":"arn:aws:sts::{}:assumed-role/{role}/{session}"}}}}"#,
                pid("AROA", &self.acct, role),
                self.acct
            );
        }
        let rid = r.uuid();
        let mut res = Vec::with_capacity(128);
        w!(
            res,
            r#"[{{"accountId":"{}","type":"AWS::IAM::Role","ARN":"{role_arn}"}}]"#,
            self.acct
        );
        self.tail(b, r, &p, rid.bytes(), true, Some(&res), false, true, "");
    }

    /// Someone checks who they are before working.
    fn caller_identity(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64) {
        let p = &self.p[[ALICE, BOB, TF, WIN][r.weighted(&[30, 25, 30, 15])]];
        self.head(
            b,
            p,
            t,
            "1.08",
            "sts.amazonaws.com",
            "GetCallerIdentity",
            "sts.get-caller-identity",
            false,
        );
        b.extend_from_slice(br#","requestParameters":null,"responseElements":null"#);
        let rid = r.uuid();
        self.call_tail(b, r, p, rid.bytes(), true, &self.hosts.sts);
    }

    /// The service, role and session name of an `AssumeRole` by a service.
    fn service_session(&self, r: &mut Rng) -> (&'static str, &'static str, String) {
        match r.below(3) {
            0 => (
                "ec2.amazonaws.com",
                "app-server-role",
                r.pick(&self.instances).clone(),
            ),
            1 => (
                "lambda.amazonaws.com",
                "order-processor-role",
                "order-processor".into(),
            ),
            _ => {
                let mut v = Vec::new();
                r.hex(&mut v, 32);
                (
                    "ecs-tasks.amazonaws.com",
                    "data-pipeline-role",
                    String::from_utf8(v).expect("ascii"),
                )
            }
        }
    }
}
