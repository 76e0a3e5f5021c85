// Groups: create one (I am its first admin), see its members and admins;
// admins add and remove members (admins too), make admins and take that
// back (a group always keeps one); anyone may leave.

import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { addGroupMember, createGroup, getGroup, getMe, listGroups, makeGroupAdmin, removeGroupAdmin, removeGroupMember, type Group } from "../api";
import { t } from "../i18n";
import { announce } from "./announcer";
import { ErrorLine, messageOf, useLoaded } from "./common";
import { PersonPicker, PersonRow, type RowAction } from "./PersonPicker";
import { createRoomFor } from "./HomeRooms";

export function GroupsSection() {
  const { value: groups, error, refresh } = useLoaded(listGroups, []);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <div class="two-columns">
      <div class="column">
        <CreateGroupForm
          onCreated={(g) => {
            void refresh();
            setOpen(g.id);
          }}
        />
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">{t("Your groups")}</h2>
          <ErrorLine error={error} />
          {groups === null ? (
            <p class="muted">{t("Loading…")}</p>
          ) : groups.length === 0 ? (
            <p class="muted">{t("You're not in any group yet.")}</p>
          ) : (
            <ul class="room-list">
              {groups.map((g) => (
                <li key={g.id}>
                  <button type="button" class="link" aria-current={open === g.id ? "true" : undefined} onClick={() => setOpen(g.id)}>
                    {g.name}
                  </button>
                  {g.isAdmin && <span class="badge subtle">{t("Admin")}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div class="column">{open && <GroupDetail key={open} id={open} onLeft={() => (setOpen(null), void refresh())} />}</div>
    </div>
  );
}

function CreateGroupForm({ onCreated }: { onCreated: (g: Group) => void }) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const g = await createGroup(name.trim());
      announce(t("Group created: {name}", { name: g.name }));
      setName("");
      onCreated(g);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" aria-labelledby="new-group-title" onSubmit={submit}>
      <h2 id="new-group-title">{t("New group")}</h2>
      <label class="field">
        <span>{t("Group name")}</span>
        <input name="groupName" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <ErrorLine error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {t("Create group")}
      </button>
    </form>
  );
}

function GroupDetail({ id, onLeft }: { id: string; onLeft: () => void }) {
  const { value: group, error, refresh, version } = useLoaded(() => getGroup(id), [id]);
  const { value: me } = useLoaded(getMe, []);
  if (!group) return <ErrorLine error={error} />;
  const selfId = me?.user?.id;
  const members = group.members ?? [];
  const memberIds = new Set(members.map((m) => m.profile.id));

  return (
    <section class="card" aria-labelledby="group-title">
      <h2 id="group-title">{group.name}</h2>
      <ErrorLine error={error} />
      <h3 class="panel-subtitle">{t("Members ({n})", { n: members.length })}</h3>
      <ul class="people-rows" aria-label={t("Members")}>
        {members.map((m) => {
          const p = m.profile;
          const actions: (RowAction | null)[] = [];
          if (group.isAdmin && !m.admin) {
            actions.push({
              text: t("Make admin"),
              label: t("Make {name} an admin", { name: p.displayName }),
              run: async () => {
                await makeGroupAdmin(group.id, p.id);
                announce(t("{name} is now an admin", { name: p.displayName }));
                refresh();
              },
            });
          }
          if (group.isAdmin && m.admin) {
            const self = p.id === selfId;
            actions.push({
              text: t("Remove admin"),
              label: self ? t("Step down as admin") : t("Remove {name} as admin", { name: p.displayName }),
              run: async () => {
                await removeGroupAdmin(group.id, p.id);
                announce(self ? t("You are no longer an admin") : t("{name} is no longer an admin", { name: p.displayName }));
                refresh();
              },
            });
          }
          // Leaving is the Leave group button's.
          if (group.isAdmin && p.id !== selfId) {
            actions.push({
              text: t("Remove"),
              label: t("Remove {name} from the group", { name: p.displayName }),
              danger: true,
              run: async () => {
                await removeGroupMember(group.id, p.id);
                announce(t("{name} was removed from the group", { name: p.displayName }));
                refresh();
              },
            });
          }
          return <PersonRow key={p.id} person={p} note={m.admin ? t("Admin") : undefined} actions={actions} />;
        })}
      </ul>
      {group.isAdmin && (
        <PersonPicker
          label={t("Add a member")}
          idPrefix="group-add"
          refreshKey={version}
          action={(p) =>
            memberIds.has(p.id)
              ? null
              : {
                  text: t("Add"),
                  label: t("Add {name} to the group", { name: p.displayName }),
                  run: async () => {
                    await addGroupMember(group.id, p.id);
                    announce(t("{name} was added to the group", { name: p.displayName }));
                    refresh();
                  },
                }
          }
        />
      )}
      <div class="row">
        <button type="button" class="primary small" onClick={() => createRoomFor(`group:${group.id}`)}>
          {t("Create a room for this group")}
        </button>
      </div>
      <LeaveGroup group={group} onLeft={onLeft} />
    </section>
  );
}

function LeaveGroup({ group, onLeft }: { group: Group; onLeft: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="row">
      <button
        type="button"
        class="small danger-outline"
        onClick={async () => {
          try {
            const self = await getMe();
            if (!self.user) return;
            await removeGroupMember(group.id, self.user.id);
            announce(t("You left {name}", { name: group.name }));
            onLeft();
          } catch (err) {
            setError(messageOf(err));
          }
        }}
      >
        {t("Leave group")}
      </button>
      <ErrorLine error={error} />
    </div>
  );
}
