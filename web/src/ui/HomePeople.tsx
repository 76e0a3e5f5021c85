// People: find someone by name or email, friend requests both ways,
// friends, and the people I blocked.

import { useEffect, useState } from "preact/hooks";
import {
  acceptFriend,
  block,
  declineFriend,
  listBlocks,
  listFriends,
  removeFriend,
  requestFriend,
  unblock,
  type FriendLists,
  type Profile,
} from "../api";
import { t } from "../i18n";
import { announce } from "./announcer";
import { ErrorLine, messageOf } from "./common";
import { PersonPicker, PersonRow, type RowAction } from "./PersonPicker";

export function PeopleSection() {
  const [lists, setLists] = useState<FriendLists | null>(null);
  const [blocked, setBlocked] = useState<Profile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const refresh = () => {
    listFriends()
      .then(setLists)
      .catch((err: unknown) => setError(messageOf(err)));
    listBlocks()
      .then(setBlocked)
      .catch((err: unknown) => setError(messageOf(err)));
    setVersion((v) => v + 1);
  };
  useEffect(refresh, []);

  const after = (msg: string) => () => {
    announce(msg);
    refresh();
  };
  const blockAction = (p: Profile): RowAction => ({
    text: t("Block"),
    label: t("Block {name}", { name: p.displayName }),
    danger: true,
    run: async () => {
      await block(p.id);
      after(t("{name} is blocked", { name: p.displayName }))();
    },
  });

  const searchAction = (p: Profile): RowAction | null => {
    switch (p.friendState) {
      case "friends":
        return null;
      case "requested":
        return { text: t("Requested"), label: t("Cancel the request to {name}", { name: p.displayName }), run: async () => (await removeFriend(p.id), after(t("Request cancelled"))()) };
      case "incoming":
        return { text: t("Accept"), label: t("Accept {name}'s request", { name: p.displayName }), run: async () => (await acceptFriend(p.id), after(t("You are now friends with {name}", { name: p.displayName }))()) };
      default:
        return {
          text: t("Add friend"),
          label: t("Add {name} as a friend", { name: p.displayName }),
          run: async () => {
            await requestFriend(p.id);
            after(t("Friend request sent to {name}", { name: p.displayName }))();
          },
        };
    }
  };

  return (
    <div class="people-section">
      <section class="card" aria-labelledby="find-title">
        <h2 id="find-title">{t("Find people")}</h2>
        <PersonPicker label={t("Search by name or email")} action={searchAction} refreshKey={version} idPrefix="find" />
      </section>
      <ErrorLine error={error} />
      {lists && (lists.incoming.length > 0 || lists.outgoing.length > 0) && (
        <section class="card" aria-labelledby="requests-title">
          <h2 id="requests-title">{t("Friend requests")}</h2>
          <ul class="people-rows">
            {lists.incoming.map((p) => (
              <PersonRow
                key={p.id}
                person={p}
                note={t("wants to be friends")}
                actions={[
                  { text: t("Accept"), label: t("Accept {name}'s request", { name: p.displayName }), run: async () => (await acceptFriend(p.id), after(t("You are now friends with {name}", { name: p.displayName }))()) },
                  { text: t("Decline"), label: t("Decline {name}'s request", { name: p.displayName }), run: async () => (await declineFriend(p.id), after(t("Request declined"))()) },
                ]}
              />
            ))}
            {lists.outgoing.map((p) => (
              <PersonRow
                key={p.id}
                person={p}
                note={t("request sent")}
                actions={[{ text: t("Cancel"), label: t("Cancel the request to {name}", { name: p.displayName }), run: async () => (await removeFriend(p.id), after(t("Request cancelled"))()) }]}
              />
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="friends-title">
        <h2 id="friends-title">{t("Friends")}</h2>
        {lists === null ? (
          <p class="muted">{t("Loading…")}</p>
        ) : lists.friends.length === 0 ? (
          <p class="muted">{t("No friends yet. Find people above and send them a request.")}</p>
        ) : (
          <ul class="people-rows" aria-labelledby="friends-title">
            {lists.friends.map((p) => (
              <PersonRow
                key={p.id}
                person={p}
                actions={[
                  { text: t("Remove"), label: t("Remove {name} from your friends", { name: p.displayName }), run: async () => (await removeFriend(p.id), after(t("{name} is no longer your friend", { name: p.displayName }))()) },
                  blockAction(p),
                ]}
              />
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="blocked-title">
        <h2 id="blocked-title">{t("Blocked people")}</h2>
        <p class="muted small">{t("You and the people you block never see each other's rooms, and are never in the same room. They are not told.")}</p>
        {blocked === null ? (
          <p class="muted">{t("Loading…")}</p>
        ) : blocked.length === 0 ? (
          <p class="muted">{t("You haven't blocked anyone.")}</p>
        ) : (
          <ul class="people-rows">
            {blocked.map((p) => (
              <PersonRow
                key={p.id}
                person={p}
                actions={[{ text: t("Unblock"), label: t("Unblock {name}", { name: p.displayName }), run: async () => (await unblock(p.id), after(t("{name} is unblocked", { name: p.displayName }))()) }]}
              />
            ))}
          </ul>
        )}
        <BlockSomeone onBlocked={refresh} version={version} />
      </section>
    </div>
  );
}

/** Blocking someone who is not a friend: find them first. */
function BlockSomeone({ onBlocked, version }: { onBlocked: () => void; version: number }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" class="small" onClick={() => setOpen(true)}>
        {t("Block someone…")}
      </button>
    );
  }
  return (
    <PersonPicker
      label={t("Who do you want to block?")}
      idPrefix="block"
      refreshKey={version}
      action={(p) => ({
        text: t("Block"),
        label: t("Block {name}", { name: p.displayName }),
        run: async () => {
          await block(p.id);
          announce(t("{name} is blocked", { name: p.displayName }));
          onBlocked();
        },
      })}
    />
  );
}
