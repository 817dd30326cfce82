-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/),
-- as POSTGRES_USER, who then owns them. One database per service (docs/design.md: each service
-- owns its data); crm-migrate would also create a missing one, this just makes it explicit.
CREATE DATABASE crm_leads;
CREATE DATABASE crm_deals;
CREATE DATABASE crm_scheduling;
CREATE DATABASE crm_notify;
CREATE DATABASE crm_reports;
CREATE DATABASE crm_gateway;
