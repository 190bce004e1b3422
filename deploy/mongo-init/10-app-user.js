// The application's MongoDB user: readWrite on the gongzhi database, nothing else (no other database, no
// administration). The api and the worker connect as it (MONGODB_URI in docker-compose.yml, authSource=gongzhi).
//
// Run once, by the mongo image's entrypoint, when the mongodb service starts on an empty data volume: it runs
// every *.js in /docker-entrypoint-initdb.d with mongosh, authenticated as the root user, against a standalone
// mongod on loopback, before the replica set exists. On a volume that already has data it does not run (see
// docs/operations.md for creating the user by hand there).
//
// The password comes from the container's environment (MONGO_INITDB_APP_PASSWORD, set from the deployer's
// MONGO_APP_PASSWORD), never from this file.

/* global db, print, process -- mongosh's globals (it runs on Node.js) */

const password = process.env.MONGO_INITDB_APP_PASSWORD;
if (!password) {
  throw new Error('MONGO_INITDB_APP_PASSWORD is not set: the application user cannot be created');
}

db.getSiblingDB('gongzhi').createUser({
  user: 'gongzhi',
  pwd: password,
  roles: [{ role: 'readWrite', db: 'gongzhi' }],
});
print('10-app-user.js: created the user gongzhi (readWrite on gongzhi)');
