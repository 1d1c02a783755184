//! The add / edit / rotate forms: plain state and pure checks. Every field is
//! checked as it is typed with the engine's own rules (`fields.rs`,
//! `token::check`), so the form and the CLI refuse the same things.

use chrono::{DateTime, Utc};
use zeroize::Zeroize;

use crate::fields;
use crate::git::pasted::parse_pasted;
use crate::git::remote::GitHost;
use crate::i18n::tr;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::token::{self, TokenCheck};

/// Which form is open, and on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Add,
    /// Edit the profile called `original` (it may be renamed).
    Edit {
        original: String,
    },
    /// Replace the token of `name`, keeping everything else.
    Rotate {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Name,
    Kind,
    Workspace,
    Repo,
    Project,
    BotEmail,
    Email,
    Username,
    Expires,
    Token,
}

impl FieldId {
    pub fn label(self) -> String {
        match self {
            FieldId::Name => tr!("form.field.name"),
            FieldId::Kind => tr!("form.field.kind"),
            FieldId::Workspace => tr!("form.field.workspace"),
            FieldId::Repo => tr!("form.field.repo"),
            FieldId::Project => tr!("form.field.project"),
            FieldId::BotEmail => tr!("form.field.bot_email"),
            FieldId::Email => tr!("form.field.email"),
            FieldId::Username => tr!("form.field.username"),
            FieldId::Expires => tr!("form.field.expires"),
            FieldId::Token => tr!("form.field.token"),
        }
        .into_owned()
    }

    /// The field name `fields::check_profile` reports problems under.
    fn check_name(self) -> &'static str {
        match self {
            FieldId::Name => "name",
            FieldId::Kind => "kind",
            FieldId::Workspace => "workspace",
            FieldId::Repo => "repo",
            FieldId::Project => "project",
            FieldId::BotEmail => "bot-email",
            FieldId::Email => "email",
            FieldId::Username => "username",
            FieldId::Expires => "expires",
            FieldId::Token => "token",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Whether a paste is a URL to read for workspace and repository (https
/// or http, ssh://, or the scp form `git@host:ws/repo`).
fn looks_like_url(text: &str) -> bool {
    text.contains("://") || (text.starts_with("git@") && text.contains(':'))
}

/// The token as typed. Never printed by `Debug`; wiped when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenInput(String);

impl TokenInput {
    pub fn push(&mut self, c: char) {
        self.0.push(c);
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn push_str(&mut self, s: &str) {
        // A paste often carries a trailing newline; tokens never hold whitespace.
        self.0.push_str(s.trim());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Replaces what was typed (the old text is wiped).
    pub fn set(&mut self, s: &str) {
        self.0.zeroize();
        self.push_str(s);
    }
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }
    /// What the form shows: one bullet per character, never the token.
    pub fn masked(&self) -> String {
        "•".repeat(self.len().min(48)) + if self.len() > 48 { "…" } else { "" }
    }
    pub fn check(&self, kind: TokenKind) -> TokenCheck {
        token::check(&self.0, kind)
    }
    pub(crate) fn to_secret(&self) -> Secret {
        Secret::new(self.0.clone())
    }
}

impl Drop for TokenInput {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for TokenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenInput({} chars)", self.len())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub token_kind: TokenKind,
    values: [String; 10],
    pub token: TokenInput,
    pub focus: FieldId,
    /// Names already used by other profiles.
    pub taken: Vec<String>,
    /// Why the last save failed, shown in the form (the form stays open).
    pub error: Option<String>,
    /// What a paste did besides filling the field (the kind changed, a
    /// token moved out of a URL), shown until the next key.
    pub note: Option<String>,
    pub saving: bool,
}

impl Form {
    pub fn add(taken: Vec<String>) -> Form {
        Form {
            kind: FormKind::Add,
            token_kind: TokenKind::Repository,
            values: Default::default(),
            token: TokenInput::default(),
            focus: FieldId::Name,
            taken,
            error: None,
            note: None,
            saving: false,
        }
    }

    pub fn edit(p: &Profile, taken: Vec<String>) -> Form {
        let mut f = Form::add(taken.into_iter().filter(|n| *n != p.name).collect());
        f.kind = FormKind::Edit {
            original: p.name.clone(),
        };
        f.fill(p);
        f
    }

    pub fn rotate(p: &Profile) -> Form {
        let mut f = Form::add(Vec::new());
        f.kind = FormKind::Rotate {
            name: p.name.clone(),
        };
        f.fill(p);
        f.focus = FieldId::Token;
        f
    }

    fn fill(&mut self, p: &Profile) {
        self.token_kind = p.kind;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        self.values[FieldId::Name.index()] = p.name.clone();
        self.values[FieldId::Workspace.index()] = p.workspace.clone();
        self.values[FieldId::Repo.index()] = opt(&p.repo);
        self.values[FieldId::Project.index()] = opt(&p.project);
        self.values[FieldId::BotEmail.index()] = opt(&p.bot_email);
        self.values[FieldId::Email.index()] = opt(&p.email);
        self.values[FieldId::Username.index()] = opt(&p.username);
        self.values[FieldId::Expires.index()] =
            p.expires.map(|d| d.to_string()).unwrap_or_default();
    }

    pub fn title(&self) -> String {
        match &self.kind {
            FormKind::Add => tr!("form.title.add").into_owned(),
            FormKind::Edit { original } => tr!("form.title.edit", name = original).into_owned(),
            FormKind::Rotate { name } => tr!("form.title.rotate", name = name).into_owned(),
        }
    }

    /// The fields this form shows, in order, for the chosen kind.
    pub fn fields(&self) -> Vec<FieldId> {
        use FieldId::*;
        if let FormKind::Rotate { .. } = self.kind {
            return vec![Token, Expires];
        }
        let mut v = vec![Name, Kind, Workspace, Repo];
        match self.token_kind {
            TokenKind::Project => v.extend([Project, BotEmail]),
            TokenKind::Repository | TokenKind::Workspace => v.push(BotEmail),
            TokenKind::Api => v.extend([Email, Username]),
        }
        v.push(Expires);
        if self.kind == FormKind::Add {
            v.push(Token);
        }
        v
    }

    pub fn value(&self, id: FieldId) -> String {
        match id {
            FieldId::Kind => self.token_kind.short_words(),
            FieldId::Token => self.token.masked(),
            _ => self.values[id.index()].clone(),
        }
    }

    pub fn input(&mut self, c: char) {
        self.error = None;
        self.note = None;
        match self.focus {
            FieldId::Kind => {
                if c == ' ' {
                    self.cycle_kind(1);
                }
            }
            FieldId::Token => self.token.push(c),
            id => self.values[id.index()].push(c),
        }
    }

    /// A paste, into whatever field has focus, read for what it is: a
    /// Bitbucket URL fills workspace and repository (from any text field),
    /// and a token goes to the Token field (never shown in another field)
    /// and sets the kind its prefix tells. `git` is the Bitbucket host
    /// URLs are read against.
    pub fn paste(&mut self, text: &str, git: &str) {
        self.error = None;
        self.note = None;
        let text = text.trim();
        let has_token = self.fields().contains(&FieldId::Token);
        if self.focus == FieldId::Kind {
            return;
        }
        if self.focus != FieldId::Token && looks_like_url(text) {
            return self.paste_url(text, git);
        }
        let detected = token::detect(text);
        let is_token = matches!(
            detected,
            token::Detected::AccessToken | token::Detected::ApiToken
        ) && !text.contains(char::is_whitespace);
        match self.focus {
            FieldId::Token => {
                let was_empty = self.token.is_empty();
                self.token.push_str(text);
                if was_empty {
                    self.kind_from_token(detected);
                }
            }
            _ if is_token && has_token => {
                self.token.set(text);
                self.focus = FieldId::Token;
                self.note = Some(tr!("form.note.token_moved").into_owned());
                self.kind_from_token(detected);
            }
            id if is_token => {
                self.error =
                    Some(tr!("form.error.token_in_field", field = id.label()).into_owned());
            }
            id => self.values[id.index()].push_str(text),
        }
    }

    fn paste_url(&mut self, text: &str, git: &str) {
        let Some(host) = GitHost::from_base(git) else {
            // BBTOKEN_GIT_URL is checked at start-up; say it rather than
            // drop the paste without a word.
            self.error = Some(tr!("form.error.git_url").into_owned());
            return;
        };
        let pasted = match parse_pasted(text, &host) {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        self.values[FieldId::Workspace.index()] = pasted.workspace;
        self.values[FieldId::Repo.index()] = pasted.repo;
        let mut note = tr!("form.note.from_url").into_owned();
        if let Some(t) = pasted.token {
            if self.fields().contains(&FieldId::Token) {
                self.token.set(t.expose());
                self.kind_from_token(token::detect(t.expose()));
                note.push_str(&tr!("form.note.url_token_moved"));
            } else {
                note.push_str(&tr!("form.note.url_token_dropped"));
            }
        }
        self.note = Some(note);
    }

    /// An add form follows the token's prefix: an API token makes the kind
    /// api, an access token an access kind (repository until validation
    /// tells which).
    fn kind_from_token(&mut self, detected: token::Detected) {
        if self.kind != FormKind::Add || !token::kind_mismatches(detected, self.token_kind) {
            return;
        }
        self.token_kind = match detected {
            token::Detected::ApiToken => TokenKind::Api,
            _ => TokenKind::Repository,
        };
        let set = tr!(
            "form.note.kind_from_prefix",
            kind = self.token_kind.short_words(),
            prefix = detected.label()
        )
        .into_owned();
        self.note = Some(match self.note.take() {
            Some(n) => format!("{n}; {set}"),
            None => set,
        });
    }

    pub fn backspace(&mut self) {
        self.error = None;
        self.note = None;
        match self.focus {
            FieldId::Kind => {}
            FieldId::Token => self.token.pop(),
            id => {
                self.values[id.index()].pop();
            }
        }
    }

    pub(crate) fn cycle_kind(&mut self, step: isize) {
        let all = TokenKind::ALL;
        let i = all.iter().position(|k| *k == self.token_kind).unwrap_or(0) as isize;
        let n = all.len() as isize;
        self.token_kind = all[((i + step).rem_euclid(n)) as usize];
    }

    pub(crate) fn move_focus(&mut self, step: isize) {
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus = fields[((i + step).rem_euclid(n)) as usize];
    }

    fn opt(&self, id: FieldId) -> Option<String> {
        let v = self.values[id.index()].trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// The profile the form describes, built over `base` (edit/rotate keep
    /// everything the form does not show). Fields that do not apply to the
    /// kind are dropped.
    pub(crate) fn to_profile(&self, base: Option<&Profile>, now: DateTime<Utc>) -> Profile {
        let mut p = base.cloned().unwrap_or_else(|| Profile {
            created: now,
            ..Profile::new("", self.token_kind, "", None)
        });
        p.expires = self
            .opt(FieldId::Expires)
            .and_then(|d| fields::parse_date(&d).ok());
        if let FormKind::Rotate { .. } = self.kind {
            return p;
        }
        let kind = self.token_kind;
        p.name = self.values[FieldId::Name.index()].trim().to_string();
        p.kind = kind;
        p.workspace = self.values[FieldId::Workspace.index()].trim().to_string();
        p.repo = self.opt(FieldId::Repo);
        p.project = self
            .opt(FieldId::Project)
            .filter(|_| kind == TokenKind::Project);
        p.bot_email = self
            .opt(FieldId::BotEmail)
            .filter(|_| kind.is_access_token());
        p.email = self.opt(FieldId::Email).filter(|_| kind == TokenKind::Api);
        p.username = self
            .opt(FieldId::Username)
            .filter(|_| kind == TokenKind::Api);
        p
    }

    /// The problem with each shown field, if any: what the user sees as they type.
    pub fn problems(&self, now: DateTime<Utc>) -> Vec<(FieldId, String)> {
        let fields = self.fields();
        let mut out = Vec::new();
        if !matches!(self.kind, FormKind::Rotate { .. }) {
            let p = self.to_profile(None, now);
            for (name, msg) in fields::check_profile(&p) {
                if let Some(id) = fields.iter().find(|f| f.check_name() == name) {
                    out.push((*id, msg));
                }
            }
            if self.taken.contains(&p.name) {
                out.push((
                    FieldId::Name,
                    tr!("form.error.name_taken", name = p.name).into_owned(),
                ));
            }
        }
        if let Some(d) = self.opt(FieldId::Expires)
            && let Err(e) = fields::parse_date(&d)
        {
            out.push((FieldId::Expires, e));
        }
        if fields.contains(&FieldId::Token) {
            // The CLI's rule (token::TokenCheck::blocker); the form has no
            // --force: a token of another kind is fixed by changing Kind.
            let check = self.token.check(self.token_kind);
            if let Some(f) = check.blocker(false) {
                out.push((FieldId::Token, f.message.clone()));
            }
        }
        out
    }

    /// The offline token check, when the form has a token field with text.
    pub(crate) fn token_check(&self) -> Option<TokenCheck> {
        (self.fields().contains(&FieldId::Token) && !self.token.is_empty())
            .then(|| self.token.check(self.token_kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn fields_follow_the_kind() {
        let mut f = Form::add(vec![]);
        assert!(f.fields().contains(&FieldId::BotEmail));
        f.focus = FieldId::Kind;
        f.input(' ');
        f.input(' ');
        f.input(' ');
        assert_eq!(f.token_kind, TokenKind::Api);
        assert!(f.fields().contains(&FieldId::Email));
        assert!(!f.fields().contains(&FieldId::BotEmail));
    }

    #[test]
    fn problems_as_typed_and_duplicate_names() {
        let mut f = Form::add(vec!["web".into()]);
        for c in "web".chars() {
            f.input(c);
        }
        let probs = f.problems(now());
        assert!(
            probs
                .iter()
                .any(|(id, m)| *id == FieldId::Name && m.contains("already exists"))
        );
        assert!(probs.iter().any(|(id, _)| *id == FieldId::Workspace));
        assert!(
            probs
                .iter()
                .any(|(id, m)| *id == FieldId::Token && m.contains("empty"))
        );
        f.focus = FieldId::Expires;
        f.paste("2026-13-01", GIT);
        assert!(
            f.problems(now())
                .iter()
                .any(|(id, _)| *id == FieldId::Expires)
        );
    }

    /// Issue 10 A4: the form stops an API token entered for an access-token
    /// kind with the CLI's words (token::TokenCheck::blocker), and lets it
    /// through once the kind is changed to api. (A paste sets the kind from
    /// the prefix; choosing another kind afterwards is stopped.)
    #[test]
    fn token_of_another_kind_is_stopped_until_the_kind_matches() {
        let mut f = Form::add(vec![]);
        f.focus = FieldId::Token;
        f.paste(&crate::token::synthesize(crate::token::API_PREFIX, 3), GIT);
        assert_eq!(f.token_kind, TokenKind::Api);
        let token_problem = |f: &Form| {
            f.problems(now())
                .into_iter()
                .find(|(id, _)| *id == FieldId::Token)
                .map(|(_, m)| m)
        };
        assert_eq!(token_problem(&f), None);
        f.cycle_kind(1);
        assert_eq!(f.token_kind, TokenKind::Repository);
        let m = token_problem(&f).expect("stopped as a repository token");
        assert!(m.contains("add it as kind api"), "{m}");
        f.cycle_kind(-1);
        assert_eq!(f.token_kind, TokenKind::Api);
        assert_eq!(token_problem(&f), None);
    }

    const GIT: &str = "https://bitbucket.org";

    #[test]
    fn a_pasted_token_goes_to_the_token_field_and_sets_the_kind() {
        let api = crate::token::synthesize(crate::token::API_PREFIX, 7);
        let mut f = Form::add(vec![]);
        assert_eq!(f.focus, FieldId::Name);
        f.paste(&format!("{api}\n"), GIT);
        assert_eq!((f.focus, f.token_kind), (FieldId::Token, TokenKind::Api));
        assert!(f.value(FieldId::Name).is_empty());
        assert_eq!(f.token.to_secret().expose(), api);
        let note = f.note.clone().unwrap();
        assert!(note.contains("Kind set to api"), "{note}");
        assert!(!note.contains(&api[..12]), "{note}");
        // An access token pasted over an api kind: back to an access kind.
        let access = crate::token::synthesize(crate::token::ACCESS_PREFIX, 8);
        f.focus = FieldId::Workspace;
        f.paste(&access, GIT);
        assert_eq!(f.token_kind, TokenKind::Repository);
        assert_eq!(f.token.to_secret().expose(), access);
        // A chosen access kind stays: the prefix does not say which one.
        f.token_kind = TokenKind::Workspace;
        f.paste(&access, GIT);
        assert_eq!(f.token_kind, TokenKind::Workspace);
    }

    #[test]
    fn a_token_is_never_put_in_a_shown_field() {
        let p = Profile::new("web", TokenKind::Repository, "acme", Some("web"));
        let mut f = Form::edit(&p, vec![]);
        f.focus = FieldId::Name;
        let t = crate::token::synthesize(crate::token::ACCESS_PREFIX, 9);
        f.paste(&t, GIT);
        assert_eq!(f.value(FieldId::Name), "web");
        assert!(f.error.as_deref().unwrap().contains("looks like a token"));
        assert!(!f.error.unwrap().contains(&t[..12]));
    }

    #[test]
    fn a_pasted_url_fills_workspace_and_repository() {
        let t = crate::token::synthesize(crate::token::ACCESS_PREFIX, 10);
        let mut f = Form::add(vec![]);
        f.focus = FieldId::Workspace;
        f.paste("https://bitbucket.org/acme/web-app/src/main/", GIT);
        assert_eq!(f.value(FieldId::Workspace), "acme");
        assert_eq!(f.value(FieldId::Repo), "web-app");
        assert!(f.token.is_empty());
        // A clone URL with the token inside: the token is taken out.
        let mut f = Form::add(vec![]);
        f.paste(
            &format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git"),
            GIT,
        );
        assert_eq!(f.value(FieldId::Repo), "api");
        assert_eq!(f.token.to_secret().expose(), t);
        let note = f.note.clone().unwrap();
        assert!(note.contains("moved to the Token field"), "{note}");
        assert!(!note.contains(&t[..12]) && f.value(FieldId::Name).is_empty());
        // An ssh clone URL in the Repository field.
        f.focus = FieldId::Repo;
        f.paste("git@bitbucket.org:team/infra.git", GIT);
        assert_eq!(
            (f.value(FieldId::Workspace), f.value(FieldId::Repo)),
            ("team".into(), "infra".into())
        );
        // Another host: refused without echoing the URL.
        f.paste(&format!("https://u:{t}@github.com/a/b.git"), GIT);
        let e = f.error.clone().unwrap();
        assert!(
            e.contains("not a Bitbucket repository URL") && !e.contains(&t[..12]),
            "{e}"
        );
        assert_eq!(f.value(FieldId::Repo), "infra");
    }

    #[test]
    fn token_input_is_masked_and_trimmed() {
        let mut t = TokenInput::default();
        t.push_str(" ATCTT3xFfGN0secret\n");
        assert_eq!(t.len(), 18);
        assert!(!t.masked().contains("secret"));
        assert!(!format!("{t:?}").contains("secret"));
    }
}
