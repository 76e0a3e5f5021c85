// The server's messages with a part it fills in (a number, a name, what a
// field is): the server sends English, and its English sentence is the
// translation key, as for every other message (see index.ts). A message
// with a filled-in part can't be looked up whole, so t() matches it
// against these templates, written as the dictionaries' keys with
// {placeholders} where the Go format has %d or %s. Each captured part is
// itself passed through the dictionary ("The group name" → "Der
// Gruppenname"), so fragments the server fills in are translated too.
//
// The i18n test (e2e/i18n.test.mjs) reads the Go source and fails when a
// server message has no template here or no German or French translation.

/** Templates of the server messages that carry a filled-in part. */
export const SERVER_PATTERNS: readonly string[] = [
  "Your password must be between {min} and {max} characters.",
  "Sign in to {what}.",
  "An event can have at most {n} guests.",
  "No such person: {id}.",
  "You are hosting {n} upcoming events, the most there can be.",
  "You have {n} friend requests waiting for an answer. Cancel some before sending more.",
  "You have blocked {n} people, the most there can be.",
  "You are in {n} groups, the most there can be. Leave one before creating another.",
  "This group has {n} members, the most there can be.",
  "Type between {min} and {max} characters to search: a name or an email address.",
  "This room is only open to {who}.",
  "{what} contains invalid characters.",
  "{what} must be between {min} and {max} characters.",
  "{what} must be at most {max} characters.",
  "{what} cannot contain control or invisible formatting characters.",
];
