//! Choosing the rule pack from `--rules` and `--add-rules`.

use revertwatch_pack::{load_default, load_file, Pack};

use crate::args::PackArgs;

pub enum Profile {
    Pack(Pack),
    /// The seed Splunk search, transcribed; it has no pack file.
    SeedSpl,
}

pub fn choose(args: &PackArgs) -> anyhow::Result<Profile> {
    let mut pack = match args.rules.as_str() {
        "seed-spl" => {
            if !args.add_rules.is_empty() {
                anyhow::bail!("--add-rules extends a rule pack; `seed-spl` is a fixed transcription of the seed search");
            }
            return Ok(Profile::SeedSpl);
        }
        "default" => load_default(),
        file => load_file(std::path::Path::new(file))?,
    };
    for extra in &args.add_rules {
        pack.extend(load_file(extra)?)?;
    }
    Ok(Profile::Pack(pack))
}
