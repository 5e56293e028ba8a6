import Testing

@Test func placeholderGovernance() {}
