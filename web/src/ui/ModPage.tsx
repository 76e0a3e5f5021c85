// Moderation: the reports, with the room's name, the reason and who was
// inside (never media); end the room or suspend an account.

import { useEffect, useState } from "preact/hooks";
import { listReports, modEndRoom, resolveReport, setSuspended, type Report } from "../api";
import { formatDateTime, t } from "../i18n";
import { announce } from "./announcer";
import { ConfirmDialog, ErrorLine, messageOf } from "./common";

export function ModPage() {
  const [reports, setReports] = useState<Report[] | null>(null);
  const [all, setAll] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ title: string; body: string; label: string; run: () => Promise<void> } | null>(null);

  const refresh = () =>
    listReports(all)
      .then((r) => {
        setReports(r);
        setError(null);
      })
      .catch((err: unknown) => setError(messageOf(err)));
  useEffect(() => {
    void refresh();
  }, [all]);

  return (
    <section class="card mod" aria-labelledby="mod-title">
      <h2 id="mod-title">{t("Reports")}</h2>
      <label class="check">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
        <span>{t("Show resolved reports too")}</span>
      </label>
      <ErrorLine error={error} />
      {reports === null ? (
        <p class="muted">{t("Loading…")}</p>
      ) : reports.length === 0 ? (
        <p class="muted">{t("No reports to review.")}</p>
      ) : (
        <ul class="reports">
          {reports.map((r) => (
            <li key={r.id} class="report" data-testid="report">
              <h3>
                {r.roomName || t("Unnamed room")}
                {r.roomEnded && <span class="badge subtle">{t("Ended")}</span>}
                {r.resolved && <span class="badge subtle">{t("Resolved")}</span>}
              </h3>
              <p class="muted small">
                {formatDateTime(r.createdAt)} · {t("Reported by {name}", { name: r.reporterName })}
              </p>
              <blockquote>{r.reason}</blockquote>
              <p class="small">{t("Inside at the time:")}</p>
              <ul class="inside">
                {r.inside.map((p, i) => (
                  <li key={`${p.userId ?? p.guestId ?? i}`}>
                    {p.displayName}
                    {p.host && <span class="badge subtle">{t("Host")}</span>}
                    {!p.userId && <span class="badge subtle">{t("Guest")}</span>}
                    {p.userId && (
                      <button
                        type="button"
                        class="small danger-outline"
                        aria-label={t("Suspend {name}", { name: p.displayName })}
                        onClick={() =>
                          setConfirm({
                            title: t("Suspend {name}?", { name: p.displayName }),
                            body: t("They are signed out everywhere, dropped from every call, and can't sign in until the suspension is lifted."),
                            label: t("Suspend"),
                            run: async () => {
                              await setSuspended(p.userId ?? "", true);
                              announce(t("{name} is suspended", { name: p.displayName }));
                            },
                          })
                        }
                      >
                        {t("Suspend")}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              <div class="row">
                {!r.roomEnded && (
                  <button
                    type="button"
                    class="small danger"
                    aria-label={t("End the room {name}", { name: r.roomName })}
                    onClick={() =>
                      setConfirm({
                        title: t("End this room?"),
                        body: t("Everyone in it is disconnected and its link stops working."),
                        label: t("End room"),
                        run: async () => {
                          await modEndRoom(r.roomId);
                          announce(t("The room was ended"));
                        },
                      })
                    }
                  >
                    {t("End room")}
                  </button>
                )}
                {!r.resolved && (
                  <button
                    type="button"
                    class="small"
                    onClick={async () => {
                      try {
                        await resolveReport(r.id);
                        announce(t("Report resolved"));
                        void refresh();
                      } catch (err) {
                        setError(messageOf(err));
                      }
                    }}
                  >
                    {t("Mark resolved")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.title}
          body={confirm.body}
          confirm={confirm.label}
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            try {
              await confirm.run();
              void refresh();
            } catch (err) {
              setError(messageOf(err));
            }
            setConfirm(null);
          }}
        />
      )}
    </section>
  );
}
