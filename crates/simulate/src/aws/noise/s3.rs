//! S3 noise: bucket reads and data events.

use std::io::Write;

use crate::aws::generator::{AwsGen, Bucket};
use crate::aws::personas::*;
use crate::rng::Rng;
use crate::time;

impl AwsGen {
    pub(in crate::aws) fn additional_s3(
        b: &mut Vec<u8>,
        r: &mut Rng,
        bytes_in: u64,
        bytes_out: u64,
    ) {
        b.extend_from_slice(
            br#","additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":"#,
        );
        w!(
            b,
            r#"{bytes_in},"AuthenticationMethod":"AuthHeader","x-amz-id-2":""#
        );
        r.b64(b, 76);
        w!(b, r#"","bytesTransferredOut":{bytes_out}}}"#);
    }

    pub(in crate::aws) fn read_s3(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        const EV: [(&str, &str, &str); 8] = [
            ("GetBucketAcl", "s3api.get-bucket-acl", "acl"),
            ("GetBucketLocation", "s3api.get-bucket-location", "location"),
            ("GetBucketPolicy", "s3api.get-bucket-policy", "policy"),
            (
                "GetBucketVersioning",
                "s3api.get-bucket-versioning",
                "versioning",
            ),
            (
                "GetBucketEncryption",
                "s3api.get-bucket-encryption",
                "encryption",
            ),
            ("ListBuckets", "s3api.list-buckets", ""),
            ("HeadBucket", "s3api.head-bucket", ""),
            ("GetBucketTagging", "s3api.get-bucket-tagging", "tagging"),
        ];
        let k = r.weighted(&[30, 14, 10, 8, 8, 10, 12, 8]);
        let pi = if k == 0 && r.chance(0.6) {
            CT
        } else {
            [ALICE, TF, CONFIG, BOB][r.weighted(&[20, 25, 40, 15])]
        };
        let p = &self.p[pi];
        let (name, cli, sub) = EV[k];
        let bucket = if pi == CT {
            &self.buckets[2]
        } else {
            r.pick(&self.buckets)
        };
        self.call_head(b, p, t, "s3.amazonaws.com", name, cli);
        if fail {
            match k {
                2 => Self::error(b, "NoSuchBucketPolicy", "The bucket policy does not exist"),
                4 => Self::error(
                    b,
                    "ServerSideEncryptionConfigurationNotFoundError",
                    "The server side encryption configuration was not found",
                ),
                _ => Self::error(b, "AccessDenied", "Access Denied"),
            }
        }
        if k == 5 {
            w!(b, r#","requestParameters":{{"Host":"{}"}}"#, self.hosts.s3);
        } else if sub.is_empty() {
            w!(
                b,
                r#","requestParameters":{{"bucketName":"{}","Host":"{}"}}"#,
                bucket.name,
                bucket.host
            );
        } else {
            w!(
                b,
                r#","requestParameters":{{"bucketName":"{}","Host":"{}","{sub}":""}}"#,
                bucket.name,
                bucket.host
            );
        }
        b.extend_from_slice(br#","responseElements":null"#);
        let out = if fail { 243 } else { 300 + r.below(1500) };
        Self::additional_s3(b, r, 0, out);
        let rid = Self::s3_request_id(r);
        let mut res = Vec::with_capacity(96);
        let resources = if k == 5 {
            None
        } else {
            w!(
                res,
                r#"[{{"accountId":"{}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{}"}}]"#,
                self.acct,
                bucket.name
            );
            Some(&res[..])
        };
        let host = if k == 5 { &self.hosts.s3 } else { &bucket.host };
        self.tail(b, r, p, &rid, true, resources, false, false, host);
    }

    pub(in crate::aws) fn s3_key(&self, b: &mut Vec<u8>, r: &mut Rng, bucket: &Bucket, t: i64) {
        b.extend_from_slice(bucket.prefix.as_bytes());
        let c = time::civil(t);
        match bucket.prefix {
            "exports/" => {
                w!(
                    b,
                    "{:04}/{:02}/{:02}/part-{:05}-",
                    c.year,
                    c.month,
                    c.day,
                    r.below(400)
                );
                r.hex(b, 8);
                b.extend_from_slice(b".snappy.parquet");
            }
            "static/" => {
                w!(b, "{}/", ["img", "js", "css", "fonts"][r.below(4) as usize]);
                r.lower_alnum(b, 12);
                b.extend_from_slice(
                    [&b".png"[..], b".js", b".css", b".woff2"][r.below(4) as usize],
                );
            }
            "AWSLogs/" => {
                w!(
                    b,
                    "{acct}/CloudTrail/{region}/{:04}/{:02}/{:02}/{acct}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_",
                    c.year,
                    c.month,
                    c.day,
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    c.minute / 5 * 5,
                    acct = self.acct,
                    region = self.region
                );
                r.alnum(b, 16);
                b.extend_from_slice(b".json.gz");
            }
            "db/" => {
                w!(
                    b,
                    "orders/{:04}-{:02}-{:02}/chunk-{:04}.dump.gz",
                    c.year,
                    c.month,
                    c.day,
                    r.below(64)
                );
            }
            "uploads/" => {
                b.extend_from_slice(r.uuid().bytes());
                b.extend_from_slice([&b".jpg"[..], b".pdf", b".csv"][r.below(3) as usize]);
            }
            _ => {
                b.extend_from_slice(r.uuid().bytes());
                b.extend_from_slice(b".csv");
            }
        }
    }

    pub(in crate::aws) fn data_s3(&self, b: &mut Vec<u8>, r: &mut Rng, t: i64, fail: bool) {
        let put = r.chance(0.35);
        let pi = if put && r.chance(0.3) {
            CT
        } else {
            [APP, LAMBDA, BOB, APP][r.weighted(&[45, 30, 10, 15])]
        };
        let p = &self.p[pi];
        let bucket = if pi == CT {
            &self.buckets[2]
        } else {
            &self.buckets[[0, 1, 3, 4, 5][r.below(5) as usize]]
        };
        let (name, cli) = if put {
            ("PutObject", "s3api.put-object")
        } else {
            ("GetObject", "s3api.get-object")
        };
        self.head(b, p, t, "1.10", "s3.amazonaws.com", name, cli, false);
        if fail {
            if put {
                Self::error(b, "AccessDenied", "Access Denied");
            } else {
                Self::error(b, "NoSuchKey", "The specified key does not exist.");
            }
        }
        w!(
            b,
            r#","requestParameters":{{"bucketName":"{}","Host":"{}","key":""#,
            bucket.name,
            bucket.host
        );
        let key_at = b.len();
        self.s3_key(b, r, bucket, t);
        let key = b[key_at..].to_vec();
        if put {
            b.extend_from_slice(br#"","x-amz-server-side-encryption":"AES256"}"#);
            if fail {
                b.extend_from_slice(br#","responseElements":null"#);
            } else {
                b.extend_from_slice(
                    br#","responseElements":{"x-amz-server-side-encryption":"AES256"}"#,
                );
            }
        } else {
            b.extend_from_slice(br#""},"responseElements":null"#);
        }
        let size = 200 + r.below(2_000_000);
        if put {
            Self::additional_s3(b, r, size, 0);
        } else {
            Self::additional_s3(b, r, 0, if fail { 0 } else { size });
        }
        let rid = Self::s3_request_id(r);
        let mut res = Vec::with_capacity(256);
        res.extend_from_slice(br#"[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::"#);
        res.extend_from_slice(bucket.name.as_bytes());
        res.push(b'/');
        res.extend_from_slice(&key);
        w!(
            res,
            r#""}},{{"accountId":"{}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{}"}}]"#,
            self.acct,
            bucket.name
        );
        self.tail(
            b,
            r,
            p,
            &rid,
            !put,
            Some(&res),
            true,
            pi == CT,
            &bucket.host,
        );
    }
}
