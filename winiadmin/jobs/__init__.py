"""Import jobs: an upload kept in private storage, its dry run, its real run, its report."""
