"""Budget pages, one module per area: data, alerts, rules, inquiries, dashboards."""
