// mssql ships no type declarations; mssql-store.ts describes the few members it uses itself.
declare module 'mssql';
