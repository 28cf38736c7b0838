"""Users, the ward and its patrol routes.

Revision ID: f42670e7849c
Revises: 
Create Date: 2026-11-26 23:57:11.542908

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = 'f42670e7849c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('corridor_m', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('corridor_m > 0 AND corridor_m <= 1000', name='ck_routes_corridor'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_routes_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('inspector', 'chairman', 'admin')", name='ck_users_role'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_geospatial_table('wards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code_prefix', sa.String(length=10), nullable=False),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('boundary_name', sa.String(length=200), nullable=False),
    sa.Column('boundary_verified', sa.Boolean(), nullable=False),
    sa.Column('boundary_source', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_wards_boundary', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})



def downgrade():
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_wards_boundary', postgresql_using='gist', column_name='boundary')

    op.drop_geospatial_table('wards')
    op.drop_table('users')
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_routes_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('routes')
