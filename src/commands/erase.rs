//! `sshook erase`: remove one person's conversations from the stored dumps (GDPR article 17),
//! POST-hook payloads and webhook events alike, every other document's bytes kept. The work
//! is [`crate::privacy`]'s; this file says whose conversations go.

use anyhow::{bail, Result};

use crate::cli::privacy::RewriteArgs;
use crate::cli::GlobalArgs;
use crate::model::payload::Payload;
use crate::model::webhook::Event;
use crate::privacy::rewrite::{self, Rule};
use crate::Outcome;

const EXAMPLES: &str = "\
Examples:
  sshook erase dumps/ --email jan.novak@example.com --dry-run
  sshook erase dumps/ --email jan.novak@example.com > erasure-2026-03-14.txt
  sshook erase dumps/ --visitor-id 5d7f3a --ip 203.0.113.7

A conversation goes when its visitor (or webhook contact) has one of the e-mails, visitor or
contact ids, or IP addresses given, or when it is one of the --conversation ids: its POST-hook
payloads (every re-sent copy), its webhook events, and contact events of that contact.
Files: one per document, NDJSON, JSON arrays and their .gz forms, and serve's rejected/ folder
(a rejected body that cannot be read goes whole when it contains the e-mail, id or address).
Each affected file is replaced atomically (temporary file, fsync, rename, fsync of the folder)
with every other document's bytes as they were; a file left empty is deleted; other files
are not touched. The report on stdout names files and counts, never the erased data: keep it
as the record of the erasure. With --dry-run every line says what would be done. A file or
folder that cannot be read (permission denied, a broken .gz, a missing path) is listed as
\"not checked\", the summary says the erasure is incomplete, and the exit status is 1.";

/// Remove a person's conversations from the dumps (right to erasure).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub rewrite: RewriteArgs,

    /// The visitor's e-mail address (case-insensitive). Repeat for several.
    #[arg(long, value_name = "ADDR")]
    pub email: Vec<String>,

    /// The visitor id (POST hook visitor.id; webhook visitor_id or contact id).
    #[arg(long, value_name = "ID")]
    pub visitor_id: Vec<String>,

    /// A conversation: a POST-hook channel.id or a webhook conversation id.
    #[arg(long, value_name = "ID")]
    pub conversation: Vec<String>,

    /// The visitor's IP address.
    #[arg(long, value_name = "ADDR")]
    pub ip: Vec<String>,
}

/// Whose data goes: any of these.
struct Person {
    emails: Vec<String>,
    ids: Vec<String>,
    conversations: Vec<String>,
    ips: Vec<String>,
}

impl Person {
    fn email(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| {
            let v = v.trim().to_lowercase();
            self.emails.contains(&v)
        })
    }

    fn id(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.ids.iter().any(|id| id == v.trim()))
    }

    fn ip(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.ips.iter().any(|ip| ip.eq_ignore_ascii_case(v.trim())))
    }
}

impl Rule for Person {
    fn conversation(&self, p: &Payload) -> bool {
        let v = p.visitor.as_ref();
        self.conversations.iter().any(|c| *c == p.conversation_id())
            || self.email(v.and_then(|v| v.email.as_deref()))
            || self.id(v.and_then(|v| v.id.as_deref()))
            || self.ip(v.and_then(|v| v.ip_address.as_deref()))
    }

    fn loose_event(&self, e: &Event) -> bool {
        e.data
            .contact
            .as_ref()
            .is_some_and(|c| self.email(c.email.as_deref()) || self.id(Some(&c.id)))
    }

    fn contact(&self, id: &str) -> bool {
        self.id(Some(id))
    }

    fn rejected_body(&self, _name: &str, text: &[u8]) -> bool {
        let lower = text.to_ascii_lowercase();
        let has = |needle: &str| memchr::memmem::find(&lower, needle.as_bytes()).is_some();
        self.emails.iter().any(|e| has(e))
            || self.ips.iter().any(|ip| has(&ip.to_ascii_lowercase()))
            || self.ids.iter().chain(&self.conversations).any(|id| {
                has(&format!("\"{}\"", id.to_ascii_lowercase()))
                    || has(&format!(":{}", id.to_ascii_lowercase()))
            })
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> Result<Outcome> {
    let person = Person {
        emails: args.email.iter().map(|e| e.trim().to_lowercase()).collect(),
        ids: args
            .visitor_id
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
        conversations: args
            .conversation
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
        ips: args.ip.iter().map(|s| s.trim().to_string()).collect(),
    };
    let all = [
        &person.emails,
        &person.ids,
        &person.conversations,
        &person.ips,
    ];
    if all.iter().all(|v| v.is_empty()) {
        bail!("say whose data to erase: --email, --visitor-id, --conversation or --ip");
    }
    if all.iter().any(|v| v.iter().any(String::is_empty)) {
        bail!("an empty --email, --visitor-id, --conversation or --ip matches nothing");
    }
    let mut diagnostics = global.diagnostics();
    rewrite::run(
        "erase",
        &args.rewrite.dumps,
        args.rewrite.dry_run,
        &person,
        &mut diagnostics,
        global.memory(),
    )?;
    Ok(Outcome::from_bad(diagnostics.any()))
}
