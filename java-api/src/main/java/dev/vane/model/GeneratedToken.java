package dev.vane.model;

/** A token as it is generated: its id, the text it completes (may be empty mid-character), and its index in the generation. */
public record GeneratedToken(int id, String text, int index) {}
