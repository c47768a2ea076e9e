"""Budget forms, one module per area: data, alerts, inquiries, rules, dashboards."""
