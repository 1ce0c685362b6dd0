// Temporary: moved to @fawtara/wire (shared with the SDK). Remove once nothing imports this path.
export * from '@fawtara/wire';
