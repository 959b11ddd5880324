import { NavLink } from "react-router";

/** The tabs over the three admin pages: users, models, audit trail. */
export function AdminTabs() {
  return (
    <nav className="tabs" aria-label="Admin sections">
      <NavLink to="/admin" end>
        Users
      </NavLink>
      <NavLink to="/admin/models">Models</NavLink>
      <NavLink to="/admin/audit">Audit trail</NavLink>
    </nav>
  );
}
