import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, type CaseSummary } from "../api";
import { useDebounced, useDocumentTitle, useResource } from "../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, PageHeader } from "../components/ui";
import { CaseForm, EMPTY_CASE } from "../components/CaseForm";
import {
  activeFilterCount,
  applyLocalFilters,
  artistsOf,
  caseDate,
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToSearch,
  sortCases,
  type CaseFilters,
  type SortKey,
} from "../lib/caseFilter";
import { formatDate, plural } from "../lib/format";

export function CasesPage() {
  useDocumentTitle("Cases");
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const [query, setQuery] = useState(filters.q);
  const debouncedQuery = useDebounced(query, 250);
  const [sort, setSort] = useState<{ key: SortKey; dir: "asc" | "desc" }>({ key: "date", dir: "desc" });
  const searchRef = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();

  const setFilters = (patch: Partial<CaseFilters>) => setParams(filtersToSearch({ ...filters, ...patch }), { replace: true });

  // Typing settles for 250 ms before the search goes to the URL (and the server).
  useEffect(() => {
    if (query === debouncedQuery && debouncedQuery !== filters.q) setFilters({ q: debouncedQuery });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- setFilters is rebuilt from the URL each render; only a settled query should write it
  }, [query, debouncedQuery, filters.q]);

  // "/" jumps to the search box, as in most tools.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (e.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const serverKey = `cases?q=${filters.q}&status=${filters.status}`;
  const cases = useResource((signal) => api.listCases({ q: filters.q, status: filters.status }, signal), serverKey);
  // Artists are listed from every case, not just the filtered ones.
  const allCases = useResource((signal) => api.listCases({}, signal), "cases-all");
  const artists = useMemo(() => artistsOf(allCases.data ?? cases.data ?? []), [allCases.data, cases.data]);
  const shown = useMemo(() => sortCases(applyLocalFilters(cases.data ?? [], filters), sort.key, sort.dir), [cases.data, filters, sort]);
  const [creating, setCreating] = useState(params.get("new") === "1");
  const filterCount = activeFilterCount(filters);

  const sortButton = (key: SortKey, label: string) => (
    <button
      type="button"
      className="th-sort"
      title={`Sort by ${label}`}
      onClick={() => setSort((s) => ({ key, dir: s.key === key && s.dir === "asc" ? "desc" : "asc" }))}
    >
      {label}
      <span aria-hidden="true" className="sort-mark">
        {sort.key === key ? (sort.dir === "asc" ? "▲" : "▼") : ""}
      </span>
    </button>
  );
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none");

  return (
    <div className="page">
      <PageHeader
        title="Cases"
        subtitle="Open a case to interview its witnesses and draw composites."
        actions={
          !creating && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New case
            </button>
          )
        }
      />
      {creating && (
        <section className="panel" aria-labelledby="new-case-title">
          <h2 id="new-case-title" className="panel-title">
            New case
          </h2>
          <CaseForm
            draftKey="case:new"
            initial={EMPTY_CASE}
            submitLabel="Create case"
            onCancel={() => setCreating(false)}
            onSubmit={async (input) => {
              const created = await api.createCase(input);
              navigate(`/cases/${created.id}`);
              return created;
            }}
          />
        </section>
      )}

      <section className="filters" aria-label="Search and filter cases">
        <div className="field field-search">
          <label htmlFor="case-search">Search cases</label>
          <input
            id="case-search"
            ref={searchRef}
            type="search"
            value={query}
            placeholder="Reference, title, offence, location…   ( / )"
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="case-status">Status</label>
          <select id="case-status" value={filters.status} onChange={(e) => setFilters({ status: e.target.value as CaseFilters["status"] })}>
            <option value="">Any status</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="case-from">Date from</label>
          <input id="case-from" type="date" value={filters.from} onChange={(e) => setFilters({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="case-to">Date to</label>
          <input id="case-to" type="date" value={filters.to} onChange={(e) => setFilters({ to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="case-artist">Assigned artist</label>
          <select id="case-artist" value={filters.artist} onChange={(e) => setFilters({ artist: e.target.value })}>
            <option value="">Anyone</option>
            {artists.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        {filterCount > 0 && (
          <button
            type="button"
            className="btn btn-quiet btn-small filters-clear"
            onClick={() => {
              setQuery("");
              setParams(filtersToSearch(EMPTY_FILTERS), { replace: true });
            }}
          >
            Clear filters
          </button>
        )}
      </section>

      <ErrorNotice error={cases.error} title="Could not load the cases" onRetry={cases.reload} />
      {cases.loading && !cases.data ? (
        <Loading what="cases" />
      ) : cases.data && shown.length === 0 ? (
        filterCount ? (
          <EmptyState title="No cases match these filters">Change the search or clear the filters to see more.</EmptyState>
        ) : (
          <EmptyState
            title="No cases yet"
            action={
              <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                Create the first case
              </button>
            }
          >
            A case holds its witnesses, their descriptions and every composite drawn for them.
          </EmptyState>
        )
      ) : (
        shown.length > 0 && (
          <div className="table-wrap">
            <p className="table-count muted small" aria-live="polite">
              {plural(shown.length, "case")}
              {cases.loading && " · refreshing…"}
            </p>
            <table className="table table-cases">
              <thead>
                <tr>
                  <th aria-sort={ariaSort("reference")}>{sortButton("reference", "Reference")}</th>
                  <th aria-sort={ariaSort("title")}>{sortButton("title", "Title")}</th>
                  <th>Offence</th>
                  <th aria-sort={ariaSort("date")}>{sortButton("date", "Date")}</th>
                  <th>Artist</th>
                  <th className="num">Witnesses</th>
                  <th aria-sort={ariaSort("status")}>{sortButton("status", "Status")}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c) => (
                  <CaseRow key={c.id} c={c} onOpen={() => navigate(`/cases/${c.id}`)} />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </div>
  );
}

function CaseRow({ c, onOpen }: { c: CaseSummary; onOpen: () => void }) {
  return (
    <tr className="row-link" onClick={onOpen}>
      <td className="mono">
        <Link to={`/cases/${c.id}`} onClick={(e) => e.stopPropagation()}>
          {c.reference}
        </Link>
      </td>
      <td>
        <span className="cell-title">{c.title}</span>
        {c.location && <span className="cell-sub">{c.location}</span>}
      </td>
      <td>{c.offence || <span className="muted">—</span>}</td>
      <td className="nowrap">{formatDate(caseDate(c))}</td>
      <td>{c.owner?.username ?? <span className="muted">—</span>}</td>
      <td className="num">{c.witness_count}</td>
      <td>
        <Badge tone={c.status === "open" ? "accent" : "neutral"}>{c.status === "open" ? "Open" : "Closed"}</Badge>
      </td>
    </tr>
  );
}
