-- A database per service (each service migrates its own schema in it on start).
create database intake;
create database mediation;
create database petition;
create database supervision;
create database audit;
