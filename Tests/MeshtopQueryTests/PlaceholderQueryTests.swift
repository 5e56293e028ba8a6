import Testing

@Test func placeholderQuery() {}
